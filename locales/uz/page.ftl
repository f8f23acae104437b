## Xaridorning jonli efir sahifasi (crates/server/web/live/). Identifikatorlar page- bilan boshlanadi.

page-title = Jonli efir
page-brand = Silkstream Live
page-language = Til
page-currency = Valyuta
page-skip = Mahsulotga oʻtish

## Mehmon sifatida kirish

page-join-heading = Efirga qoʻshilish
page-join-intro = Efir davomida buyurtma berish uchun oʻzingizni tanishtiring. Roʻyxatdan oʻtish shart emas.
page-join-name = Koʻrsatiladigan ismingiz
    .placeholder = masalan, Dilnoza
page-join-country = Mamlakat
page-join-city = Shahar
    .placeholder = masalan, Toshkent
page-join-submit = Qoʻshilish
page-join-working = Qoʻshilmoqda…
page-join-expired = Mehmon ruxsatingiz muddati tugagan yoki bekor qilingan. Xaridni davom ettirish uchun qaytadan qoʻshiling.
page-joined-as = Siz — { $name }, { $city }
page-sign-out = Siz emasmisiz? Qaytadan qoʻshilish

## Efir

page-session-missing = Bunday efir yoʻq. Boshlovchi yuborgan havolani tekshiring.
page-session-scheduled = Efir hali boshlanmadi. Sahifani yopmang: u oʻzi yangilanadi.
page-session-live = Efirda
page-session-ended = Efir yakunlandi. Biz bilan boʻlganingiz uchun rahmat!
page-viewers = { $count } tomoshabin

## Mahkamlangan mahsulot

page-product-heading = Hozir efirda
page-no-product = Boshlovchi hali mahsulotni mahkamlamadi.
page-attributes = Xususiyatlari
page-sale-price = Jonli efirdagi narx
page-regular-price = Narxi
page-price-converted = Bugungi kurs boʻyicha { $price } dan hisoblangan
page-price-unavailable = Bu valyutada narx yoʻq. Boshqa valyutani tanlang.
page-variant = Variant

## Tezkor sotuv: hisoblagich va taymer

page-sale-heading = Tezkor sotuv
page-sold = { $count } dona sotildi
page-left = { $count } dona qoldi
page-starts-in = Boshlanishiga { $time } qoldi
page-ends-in = Tugashiga { $time } qoldi
page-sale-paused = Boshlovchi sotuvni toʻxtatib turdi
page-sale-sold-out = Hammasi sotildi
page-sale-ended = Sotuv yakunlandi
page-limit = Bir xaridorga { $count } donadan koʻp emas

## Buyurtma

page-quantity = Miqdori
page-quantity-less = Bittaga kamaytirish
page-quantity-more = Bittaga koʻpaytirish
page-order = Buyurtma berish
page-ordering = Buyurtma yuborilmoqda…
page-ship-heading = Yetkazib berish manzili
page-ship-intro = Keyingi safar uchun shu brauzerda saqlanadi va har bir buyurtma bilan sotuvchiga yuboriladi.
page-ship-name = Qabul qiluvchining F.I.Sh.
page-ship-phone = Telefon
page-ship-country = Yetkazib berish mamlakati
page-ship-city = Yetkazib berish shahri
page-ship-address = Koʻcha, uy, xonadon
page-ship-postal = Pochta indeksi
page-ship-missing = Avval yetkazib berish manzilini toʻldiring.
page-id-intro = Xitoyga yetkaziladigan buyurtmalar bojxonaga buyurtmachining haqiqiy ismi va shaxsiy guvohnoma raqami bilan deklaratsiya qilinadi: Xitoyning transchegaraviy xarid chegaralari har bir shaxsga hisoblanadi. Raqam faqat xesh koʻrinishida saqlanadi va yashirin koʻrsatiladi.
page-id-name = Buyurtmachining haqiqiy ismi
page-id-number = XXR shaxsiy guvohnoma raqami (18 belgi)
page-id-missing = Avval buyurtmachining ismi va guvohnoma raqamini kiriting.

## Buyurtmaga javoblar

page-answer-confirmed = №{ $id } buyurtma tasdiqlandi: { $count } dona, jami { $total }.
page-answer-sold-out = Hammasi sotildi: mahsulot qolmadi.
page-answer-limit = Siz bu sotuvda bir xaridor uchun belgilangan chegaraga yetdingiz.
page-answer-not-live = Efir davom etmayapti, buyurtmalar qabul qilinmaydi.
page-answer-not-started = Sotuv hali boshlanmadi.
page-answer-ended = Sotuv yakunlandi.
page-answer-paused = Boshlovchi sotuvni toʻxtatib turdi. Birozdan soʻng qayta urinib koʻring.
page-answer-cross-border = Buyurtma transchegaraviy xarid chegarasidan oshib ketdi.
page-answer-cross-border-unknown = Bu valyutada transchegaraviy xarid chegarasini tekshirib boʻlmaydi: boshqa valyutani tanlang.
page-answer-ship-to = Yetkazib berish mamlakati ushbu efir bozorlaridan biri boʻlishi kerak.
page-answer-rate-limited = Buyurtmalar juda tez-tez yuborildi. Biroz kutib, qayta urinib koʻring.
page-answer-network = Serverga ulanib boʻlmadi. Aloqani tekshirib, qayta urinib koʻring.
page-answer-unavailable = Bu mahsulotni sizning mamlakatingizda buyurtma qilib boʻlmaydi.

## Buyurtmalar oqimi va xaridorning buyurtmalari

page-stream-heading = Hozirgi buyurtmalar
page-stream-empty = Hozircha buyurtma yoʻq. Birinchi boʻling!
page-mine-heading = Sizning buyurtmalaringiz
page-mine-empty = Bu efirda siz hali buyurtma bermadingiz.
page-mine-line = №{ $id } buyurtma: { $product } × { $count }, { $total }
page-status-confirmed = Tasdiqlandi
page-status-paid = Toʻlandi
page-status-shipped = Joʻnatildi
page-status-delivered = Yetkazildi
page-status-cancelled = Bekor qilindi

## Efirga ulanish holati

page-feed-connecting = Ulanmoqda…
page-feed-live = Efirda
page-feed-reconnecting = Aloqa uzildi, qayta ulanmoqda…
page-feed-closed = Uzildi

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = { $time } ichida toʻlang, aks holda buyurtma bekor qilinadi.
page-pay-over = Toʻlov vaqti tugadi.
page-duties-due = Boj va soliqlar kiritilmagan: taxminan yana { $amount } (bojxona hisobi).
page-duties-none = Boj va soliqlar kiritilmagan; bojxona hisobiga koʻra bu buyurtma uchun ular toʻlanmaydi.
page-duties-on-delivery = Boj va soliqlar kiritilmagan: ular qabul qilishda toʻlanadi.
page-duties-unknown = Boj va soliqlar kiritilmagan, ularni hisoblab boʻlmadi.
page-ship-postal-optional = Pochta indeksi (boʻlsa)
page-check-field = Tekshiring: { $field }
page-answer-failed = Nimadir notoʻgʻri ketdi. Birozdan soʻng qayta urinib koʻring.

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = Jonli efir videosi
page-video-sound-on = Ovozni yoqish
page-video-sound-off = Ovozni oʻchirish
page-video-link = Jonli efirni { $host } saytida tomosha qilish
page-video-waiting = Efir hali koʻrsatilmayapti. Qayta urinilmoqda…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = Chat
page-chat-empty = Hozircha xabar yoʻq. Salom bering!
page-chat-label = Xabaringiz
    .placeholder = Efir chatiga yozing…
page-chat-send = Yuborish
page-chat-new = Pastda yangi xabarlar bor
page-chat-host = Boshlovchi
page-chat-moderator = Moderator
page-chat-slow-mode = Sekin rejim: har { $seconds } soniyada bitta xabar.
page-chat-held-link = Xabaringiz moderatorni kutmoqda: unda havola bor.
page-chat-held-phone = Xabaringiz moderatorni kutmoqda: unda telefon raqami bor.
page-chat-held-payment = Xabaringiz moderatorni kutmoqda: unda toʻlov soʻralgan.
page-chat-held-contact = Xabaringiz moderatorni kutmoqda: unda messenjer tilga olingan.
page-chat-muted-until = Moderator sizga bu chatda { $time } gacha yozishni taqiqladi. Xabaringiz eʼlon qilinmadi.
page-chat-muted-session = Moderator sizga bu chatda efir oxirigacha yozishni taqiqladi. Xabaringiz eʼlon qilinmadi.
page-chat-wait = { $seconds } soniyadan keyin yana yoza olasiz.
page-chat-not-live = Chat faqat efir davomida ochiq.
page-chat-invalid = Bir qatorda, 500 belgidan oshmaydigan matn yozing.
page-chat-network = Yuborilmadi: serverga ulanib boʻlmadi. Qayta urinish uchun «Yuborish» tugmasini bosing.

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = Buyurtma berish uchun chatga { $example } deb yozing.
page-chat-order-ship-to = Chatdan buyurtma berish uchun yetkazib berish manzilini toʻldiring va xabaringizni qayta yuboring.
page-chat-resend = Qayta yuborish
page-chat-order-variant = Bu mahsulotning bir nechta varianti bor: yuqoridan birini tanlang va tugma orqali buyurtma bering.
page-chat-order-nothing = Hozir chatdan buyurtma beradigan hech narsa yoʻq.
page-chat-order-identity = Xitoyga buyurtma uchun buyurtmachining guvohnoma maʼlumotlari kerak: yuqoridagi tugma orqali buyurtma bering.
