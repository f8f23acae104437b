## ໜ້າຖ່າຍທອດສົດຂອງຜູ້ຊື້ (crates/server/web/live/). ລະຫັດຂໍ້ຄວາມເລີ່ມດ້ວຍ page-.

page-title = ຂາຍສົດ
page-brand = Silkstream Live
page-language = ພາສາ
page-currency = ສະກຸນເງິນ
page-skip = ໄປທີ່ສິນຄ້າ

## ເຂົ້າຮ່ວມໃນຖານະແຂກ

page-join-heading = ເຂົ້າຮ່ວມການຖ່າຍທອດສົດ
page-join-intro = ບອກຊື່ຂອງທ່ານເພື່ອສັ່ງຊື້ລະຫວ່າງການຖ່າຍທອດ. ບໍ່ຕ້ອງສ້າງບັນຊີ.
page-join-name = ຊື່ທີ່ສະແດງ
    .placeholder = ເຊັ່ນ: ນ້ອຍ
page-join-country = ປະເທດ
page-join-city = ເມືອງ
    .placeholder = ເຊັ່ນ: ວຽງຈັນ
page-join-submit = ເຂົ້າຮ່ວມ
page-join-working = ກຳລັງເຂົ້າຮ່ວມ…
page-join-expired = ສິດແຂກຂອງທ່ານໝົດອາຍຸ ຫຼື ຖືກຖອນຄືນແລ້ວ. ກະລຸນາເຂົ້າຮ່ວມໃໝ່ເພື່ອສັ່ງຊື້ຕໍ່.
page-joined-as = ທ່ານແມ່ນ { $name } ຈາກ { $city }
page-sign-out = ບໍ່ແມ່ນທ່ານບໍ? ເຂົ້າຮ່ວມໃໝ່

## ການຖ່າຍທອດ

page-session-missing = ບໍ່ມີການຖ່າຍທອດນີ້. ກະລຸນາກວດເບິ່ງລິ້ງທີ່ຜູ້ດຳເນີນລາຍການແບ່ງປັນ.
page-session-scheduled = ການຖ່າຍທອດຍັງບໍ່ທັນເລີ່ມ. ຢູ່ໜ້ານີ້ໄດ້ເລີຍ: ມັນຈະອັບເດດເອງ.
page-session-live = ກຳລັງຖ່າຍທອດ
page-session-ended = ການຖ່າຍທອດຈົບແລ້ວ. ຂອບໃຈທີ່ຕິດຕາມ!
page-viewers = ກຳລັງເບິ່ງ { $count } ຄົນ

## ສິນຄ້າທີ່ປັກໝຸດ

page-product-heading = ກຳລັງນຳສະເໜີ
page-no-product = ຜູ້ດຳເນີນລາຍການຍັງບໍ່ທັນປັກໝຸດສິນຄ້າ.
page-attributes = ລາຍລະອຽດ
page-sale-price = ລາຄາແຟລຊເຊວ
page-regular-price = ລາຄາ
page-price-converted = ແປງຈາກ { $price } ຕາມອັດຕາແລກປ່ຽນມື້ນີ້
page-price-unavailable = ບໍ່ມີລາຄາໃນສະກຸນເງິນນີ້. ກະລຸນາເລືອກສະກຸນເງິນອື່ນ.
page-variant = ຕົວເລືອກ

## ແຟລຊເຊວ: ຈຳນວນ ແລະ ນັບຖອຍຫຼັງ

page-sale-heading = ແຟລຊເຊວ
page-sold = ຂາຍແລ້ວ { $count } ຊິ້ນ
page-left = ເຫຼືອ { $count } ຊິ້ນ
page-starts-in = ເລີ່ມໃນອີກ { $time }
page-ends-in = ສິ້ນສຸດໃນອີກ { $time }
page-sale-paused = ຜູ້ດຳເນີນລາຍການຢຸດການຂາຍຊົ່ວຄາວ
page-sale-sold-out = ຂາຍໝົດແລ້ວ
page-sale-ended = ແຟລຊເຊວສິ້ນສຸດແລ້ວ
page-limit = ຈຳກັດ { $count } ຊິ້ນຕໍ່ຜູ້ຊື້

## ການສັ່ງຊື້

page-quantity = ຈຳນວນ
page-quantity-less = ຫຼຸດໜຶ່ງ
page-quantity-more = ເພີ່ມໜຶ່ງ
page-order = ສັ່ງຊື້ດຽວນີ້
page-ordering = ກຳລັງສົ່ງຄຳສັ່ງຊື້…
page-ship-heading = ທີ່ຢູ່ຈັດສົ່ງ
page-ship-intro = ເກັບໄວ້ໃນບຣາວເຊີນີ້ສຳລັບຄັ້ງຕໍ່ໄປ ແລະ ສົ່ງໃຫ້ຜູ້ຂາຍພ້ອມກັບທຸກຄຳສັ່ງຊື້.
page-ship-name = ຊື່ ແລະ ນາມສະກຸນຜູ້ຮັບ
page-ship-phone = ເບີໂທລະສັບ
page-ship-country = ປະເທດປາຍທາງ
page-ship-city = ເມືອງປາຍທາງ
page-ship-address = ທີ່ຢູ່ (ບ້ານ, ຖະໜົນ)
page-ship-postal = ລະຫັດໄປສະນີ
page-ship-missing = ກະລຸນາປ້ອນທີ່ຢູ່ຈັດສົ່ງກ່ອນ.
page-id-intro = ຄຳສັ່ງຊື້ທີ່ສົ່ງໄປຈີນຕ້ອງແຈ້ງພາສີດ້ວຍຊື່ແທ້ ແລະ ເລກບັດປະຈຳຕົວຂອງຜູ້ສັ່ງຊື້: ວົງເງິນການຊື້ຂ້າມຊາຍແດນຂອງຈີນນັບຕໍ່ຄົນ. ເລກນີ້ເກັບໄວ້ເປັນ hash ເທົ່ານັ້ນ ແລະ ສະແດງແບບປິດບາງສ່ວນ.
page-id-name = ຊື່ແທ້ຂອງຜູ້ສັ່ງຊື້
page-id-number = ເລກບັດປະຈຳຕົວຈີນ (18 ຕົວ)
page-id-missing = ກະລຸນາປ້ອນຊື່ແທ້ ແລະ ເລກບັດປະຈຳຕົວຂອງຜູ້ສັ່ງຊື້ກ່ອນ.

## ຜົນການສັ່ງຊື້

page-answer-confirmed = ຢືນຢັນຄຳສັ່ງຊື້ #{ $id } ແລ້ວ: { $count } ຊິ້ນ, ລວມ { $total }.
page-answer-sold-out = ຂາຍໝົດແລ້ວ: ບໍ່ມີສິນຄ້າເຫຼືອ.
page-answer-limit = ທ່ານຊື້ຄົບຈຳນວນທີ່ຈຳກັດຕໍ່ຜູ້ຊື້ຂອງການຂາຍນີ້ແລ້ວ.
page-answer-not-live = ບໍ່ໄດ້ຖ່າຍທອດຢູ່ ຈຶ່ງປິດຮັບຄຳສັ່ງຊື້.
page-answer-not-started = ການຂາຍຍັງບໍ່ທັນເລີ່ມ.
page-answer-ended = ການຂາຍສິ້ນສຸດແລ້ວ.
page-answer-paused = ຜູ້ດຳເນີນລາຍການຢຸດການຂາຍຊົ່ວຄາວ. ກະລຸນາລອງໃໝ່ໃນອີກບໍ່ດົນ.
page-answer-cross-border = ຄຳສັ່ງຊື້ນີ້ເກີນວົງເງິນການຊື້ຂ້າມຊາຍແດນ.
page-answer-cross-border-unknown = ບໍ່ສາມາດກວດວົງເງິນຂ້າມຊາຍແດນຂອງຄຳສັ່ງຊື້ນີ້ໃນສະກຸນເງິນນີ້ໄດ້: ກະລຸນາເລືອກສະກຸນເງິນອື່ນ.
page-answer-ship-to = ປະເທດປາຍທາງຕ້ອງເປັນໜຶ່ງໃນຕະຫຼາດຂອງການຖ່າຍທອດນີ້.
page-answer-rate-limited = ສັ່ງຊື້ຖີ່ເກີນໄປ. ກະລຸນາລໍຖ້າຈັກໜ້ອຍແລ້ວລອງໃໝ່.
page-answer-network = ບໍ່ສາມາດຕິດຕໍ່ເຊີບເວີໄດ້. ກະລຸນາກວດສອບການເຊື່ອມຕໍ່ແລ້ວລອງໃໝ່.
page-answer-unavailable = ສິນຄ້ານີ້ບໍ່ສາມາດສັ່ງຊື້ໃນຕະຫຼາດຂອງທ່ານໄດ້.

## ຄຳສັ່ງຊື້ລ່າສຸດ ແລະ ຄຳສັ່ງຊື້ຂອງທ່ານ

page-stream-heading = ຄຳສັ່ງຊື້ຕອນນີ້
page-stream-empty = ຍັງບໍ່ມີຄຳສັ່ງຊື້. ມາເປັນຄົນທຳອິດເລີຍ!
page-mine-heading = ຄຳສັ່ງຊື້ຂອງທ່ານ
page-mine-empty = ທ່ານຍັງບໍ່ໄດ້ສັ່ງຊື້ໃນການຖ່າຍທອດນີ້.
page-mine-line = ຄຳສັ່ງຊື້ #{ $id }: { $product } × { $count }, { $total }
page-status-confirmed = ຢືນຢັນແລ້ວ
page-status-paid = ຈ່າຍເງິນແລ້ວ
page-status-shipped = ສົ່ງອອກແລ້ວ
page-status-delivered = ໄດ້ຮັບແລ້ວ
page-status-cancelled = ຍົກເລີກແລ້ວ

## ການເຊື່ອມຕໍ່ການຖ່າຍທອດ

page-feed-connecting = ກຳລັງເຊື່ອມຕໍ່…
page-feed-live = ກຳລັງຖ່າຍທອດ
page-feed-reconnecting = ການເຊື່ອມຕໍ່ຂາດ, ກຳລັງເຊື່ອມຕໍ່ໃໝ່…
page-feed-closed = ຕັດການເຊື່ອມຕໍ່ແລ້ວ

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = ກະລຸນາຈ່າຍເງິນພາຍໃນ { $time }, ບໍ່ດັ່ງນັ້ນຄຳສັ່ງຊື້ຈະຖືກຍົກເລີກ.
page-pay-over = ໝົດເວລາຈ່າຍເງິນແລ້ວ.
page-duties-due = ຍັງບໍ່ລວມພາສີອາກອນ: ປະມານ { $amount } ຕື່ມ (ຕາມການຄິດໄລ່ຂອງພາສີ).
page-duties-none = ຍັງບໍ່ລວມພາສີອາກອນ; ຕາມການຄິດໄລ່ຂອງພາສີ, ຄຳສັ່ງຊື້ນີ້ບໍ່ຕ້ອງຈ່າຍ.
page-duties-on-delivery = ຍັງບໍ່ລວມພາສີອາກອນ: ຈ່າຍເມື່ອຮັບສິນຄ້າ.
page-duties-unknown = ຍັງບໍ່ລວມພາສີອາກອນ ແລະ ບໍ່ສາມາດຄິດໄລ່ໄດ້.
page-ship-postal-optional = ລະຫັດໄປສະນີ (ຖ້າມີ)
page-check-field = ກະລຸນາກວດເບິ່ງ: { $field }
page-answer-failed = ມີບາງຢ່າງຜິດພາດ. ກະລຸນາລອງໃໝ່ໃນອີກບໍ່ດົນ.

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = ວິດີໂອຖ່າຍທອດສົດ
page-video-sound-on = ເປີດສຽງ
page-video-sound-off = ປິດສຽງ
page-video-link = ເບິ່ງການຖ່າຍທອດສົດທາງ { $host }
page-video-waiting = ວິດີໂອຍັງບໍ່ທັນຫຼິ້ນ. ກຳລັງລອງໃໝ່…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = ແຊັດ
page-chat-empty = ຍັງບໍ່ມີຂໍ້ຄວາມ. ມາທັກທາຍກັນເລີຍ!
page-chat-label = ຂໍ້ຄວາມຂອງທ່ານ
    .placeholder = ຂຽນຫາຫ້ອງຖ່າຍທອດ…
page-chat-send = ສົ່ງ
page-chat-new = ມີຂໍ້ຄວາມໃໝ່ຢູ່ດ້ານລຸ່ມ
page-chat-host = ຜູ້ດຳເນີນລາຍການ
page-chat-moderator = ຜູ້ດູແລ
page-chat-slow-mode = ໂໝດຊ້າ: ສົ່ງໄດ້ໜຶ່ງຂໍ້ຄວາມທຸກໆ { $seconds } ວິນາທີ.
page-chat-held-link = ຂໍ້ຄວາມຂອງທ່ານກຳລັງລໍຖ້າຜູ້ດູແລກວດສອບ ເພາະມີລິ້ງ.
page-chat-held-phone = ຂໍ້ຄວາມຂອງທ່ານກຳລັງລໍຖ້າຜູ້ດູແລກວດສອບ ເພາະມີເບີໂທລະສັບ.
page-chat-held-payment = ຂໍ້ຄວາມຂອງທ່ານກຳລັງລໍຖ້າຜູ້ດູແລກວດສອບ ເພາະມີການຂໍໃຫ້ໂອນເງິນ.
page-chat-held-contact = ຂໍ້ຄວາມຂອງທ່ານກຳລັງລໍຖ້າຜູ້ດູແລກວດສອບ ເພາະມີການກ່າວເຖິງແອັບແຊັດ.
page-chat-muted-until = ຜູ້ດູແລໄດ້ປິດບໍ່ໃຫ້ທ່ານຂຽນໃນແຊັດນີ້ຈົນຮອດ { $time }. ຂໍ້ຄວາມຂອງທ່ານບໍ່ໄດ້ຖືກໂພສ.
page-chat-muted-session = ຜູ້ດູແລໄດ້ປິດບໍ່ໃຫ້ທ່ານຂຽນໃນແຊັດນີ້ຈົນຈົບການຖ່າຍທອດ. ຂໍ້ຄວາມຂອງທ່ານບໍ່ໄດ້ຖືກໂພສ.
page-chat-wait = ທ່ານຂຽນໄດ້ອີກໃນ { $seconds } ວິນາທີ.
page-chat-not-live = ແຊັດເປີດສະເພາະຕອນທີ່ກຳລັງຖ່າຍທອດ.
page-chat-invalid = ຂຽນໄດ້ແຖວດຽວ, ບໍ່ເກີນ 500 ຕົວອັກສອນ.
page-chat-network = ສົ່ງບໍ່ສຳເລັດ: ບໍ່ສາມາດຕິດຕໍ່ເຊີບເວີໄດ້. ກົດ ສົ່ງ ເພື່ອລອງໃໝ່.

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = ພິມ { $example } ໃນແຊັດເພື່ອສັ່ງຊື້.
page-chat-order-ship-to = ເພື່ອສັ່ງຊື້ຈາກແຊັດ, ກະລຸນາປ້ອນທີ່ຢູ່ຈັດສົ່ງ ແລ້ວສົ່ງຂໍ້ຄວາມອີກຄັ້ງ.
page-chat-resend = ສົ່ງອີກຄັ້ງ
page-chat-order-variant = ສິນຄ້ານີ້ມີຫຼາຍຕົວເລືອກ: ກະລຸນາເລືອກຕົວເລືອກຂ້າງເທິງ ແລ້ວສັ່ງຊື້ດ້ວຍປຸ່ມ.
page-chat-order-nothing = ຕອນນີ້ບໍ່ມີຫຍັງໃຫ້ສັ່ງຊື້ຈາກແຊັດ.
page-chat-order-identity = ຄຳສັ່ງຊື້ໄປຈີນຕ້ອງມີຂໍ້ມູນບັດປະຈຳຕົວຂອງຜູ້ສັ່ງຊື້: ກະລຸນາສັ່ງຊື້ດ້ວຍປຸ່ມຂ້າງເທິງ.
