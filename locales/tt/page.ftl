## Сатып алучының туры эфир бите (crates/server/web/live/). Идентификаторлар page- белән башлана.

page-title = Туры эфир
page-brand = Silkstream Live
page-language = Тел
page-currency = Валюта
page-skip = Товарга күчү

## Кунак буларак керү

page-join-heading = Эфирга кушылу
page-join-intro = Эфир вакытында заказ бирү өчен үзегезне таныштырыгыз. Теркәлү кирәкми.
page-join-name = Күрсәтелә торган исемегез
    .placeholder = мәсәлән, Алсу
page-join-country = Ил
page-join-city = Шәһәр
    .placeholder = мәсәлән, Казан
page-join-submit = Кушылу
page-join-working = Кушылабыз…
page-join-expired = Кунак рөхсәтегезнең вакыты чыккан яки ул кире алынган. Сатып алуны дәвам итү өчен яңадан кушылыгыз.
page-joined-as = Сез — { $name }, { $city }
page-sign-out = Сез түгелме? Яңадан кушылу

## Эфир

page-session-missing = Мондый эфир юк. Алып баручы җибәргән сылтаманы тикшерегез.
page-session-scheduled = Эфир әле башланмады. Битне ябмагыз: ул үзе яңарачак.
page-session-live = Эфирда
page-session-ended = Эфир тәмамланды. Безнең белән булуыгыз өчен рәхмәт!
page-viewers = { $count } тамашачы

## Беркетелгән товар

page-product-heading = Хәзер эфирда
page-no-product = Алып баручы әле товар беркетмәде.
page-attributes = Үзлекләре
page-sale-price = Эфирдагы бәя
page-regular-price = Бәясе
page-price-converted = Бүгенге курс буенча { $price } суммасыннан исәпләнде
page-price-unavailable = Бу валютада бәя юк. Башка валюта сайлагыз.
page-variant = Вариант

## Тиз сату: исәпләгеч һәм таймер

page-sale-heading = Флеш-сату
page-sold = { $count } данә сатылды
page-left = { $count } данә калды
page-starts-in = Башлануга { $time } калды
page-ends-in = Тәмамлануга { $time } калды
page-sale-paused = Алып баручы сатуны туктатып торды
page-sale-sold-out = Барысы да сатылды
page-sale-ended = Сату тәмамланды
page-limit = Бер сатып алучыга { $count } данәдән артык түгел

## Заказ

page-quantity = Саны
page-quantity-less = Бер данәгә киметү
page-quantity-more = Бер данәгә арттыру
page-order = Заказ бирү
page-ordering = Заказ җибәрелә…
page-ship-heading = Җибәрү адресы
page-ship-intro = Киләсе тапкыр өчен шушы браузерда саклана һәм һәр заказ белән сатучыга җибәрелә.
page-ship-name = Алучының исеме-фамилиясе
page-ship-phone = Телефон
page-ship-country = Җибәрү иле
page-ship-city = Җибәрү шәһәре
page-ship-address = Урам, йорт, фатир
page-ship-postal = Почта индексы
page-ship-missing = Башта җибәрү адресын тутырыгыз.
page-id-intro = Кытайга җибәрелә торган заказлар таможняга заказчының чын исеме һәм шәхес таныклыгы номеры белән декларацияләнә: Кытайның чик аша сатып алу чикләре һәр кешегә исәпләнә. Номер хэш рәвешендә генә саклана һәм яшерелеп күрсәтелә.
page-id-name = Заказчының чын исеме
page-id-number = КХР шәхес таныклыгы номеры (18 билге)
page-id-missing = Башта заказчының исемен һәм таныклык номерын тутырыгыз.

## Заказга җаваплар

page-answer-confirmed = №{ $id } заказ расланды: { $count } данә, барлыгы { $total }.
page-answer-sold-out = Барысы да сатылды: товар калмады.
page-answer-limit = Сез бу сатуда бер сатып алучыга билгеләнгән чиккә җиттегез.
page-answer-not-live = Эфир бармый, заказлар кабул ителми.
page-answer-not-started = Сату әле башланмады.
page-answer-ended = Сату тәмамланды.
page-answer-paused = Алып баручы сатуны туктатып торды. Бераздан кабатлап карагыз.
page-answer-cross-border = Заказ чик аша сатып алу чигеннән артып китә.
page-answer-cross-border-unknown = Бу валютада чик аша сатып алу чиген тикшереп булмый: башка валюта сайлагыз.
page-answer-ship-to = Җибәрү иле бу эфир базарларының берсе булырга тиеш.
page-answer-rate-limited = Заказлар бик еш җибәрелде. Бераз көтеп, кабатлап карагыз.
page-answer-network = Серверга тоташып булмый. Элемтәне тикшереп, кабатлап карагыз.
page-answer-unavailable = Бу товарны сезнең илдә заказ итеп булмый.

## Заказлар агымы һәм сатып алучының заказлары

page-stream-heading = Хәзерге заказлар
page-stream-empty = Әлегә заказ юк. Беренче булыгыз!
page-mine-heading = Сезнең заказлар
page-mine-empty = Бу эфирда сез әле заказ бирмәдегез.
page-mine-line = №{ $id } заказ: { $product } × { $count }, { $total }
page-status-confirmed = Расланды
page-status-paid = Түләнде
page-status-shipped = Җибәрелде
page-status-delivered = Китереп бирелде
page-status-cancelled = Юкка чыгарылды

## Эфирга тоташу халәте

page-feed-connecting = Тоташабыз…
page-feed-live = Эфирда
page-feed-reconnecting = Элемтә өзелде, яңадан тоташабыз…
page-feed-closed = Өзелде

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = { $time } эчендә түләгез, югыйсә заказ гамәлдән чыгарыла.
page-pay-over = Түләү вакыты узды.
page-duties-due = Пошлиналар һәм салымнар кертелмәгән: якынча тагын { $amount } (таможня исәбе).
page-duties-none = Пошлиналар һәм салымнар кертелмәгән; таможня исәбе буенча бу заказ өчен алар түләнми.
page-duties-on-delivery = Пошлиналар һәм салымнар кертелмәгән: алар алганда түләнә.
page-duties-unknown = Пошлиналар һәм салымнар кертелмәгән, аларны исәпләп булмады.
page-ship-postal-optional = Почта индексы (булса)
page-check-field = Тикшерегез: { $field }
page-answer-failed = Нәрсәдер дөрес булмады. Бераздан соң кабатлап карагыз.

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = Эфир трансляциясе
page-video-sound-on = Тавышны кабызу
page-video-sound-off = Тавышны сүндерү
page-video-link = Туры эфирны { $host } сайтында карау
page-video-waiting = Трансляция әле күрсәтелми. Яңадан тоташабыз…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = Чат
page-chat-empty = Әлегә хәбәр юк. Сәлам юллагыз!
page-chat-label = Хәбәрегез
    .placeholder = Эфир чатына языгыз…
page-chat-send = Җибәрү
page-chat-new = Түбәндә яңа хәбәрләр бар
page-chat-host = Алып баручы
page-chat-moderator = Модератор
page-chat-slow-mode = Әкрен режим: { $seconds } секундка бер хәбәр.
page-chat-held-link = Хәбәрегез модераторны көтә: анда сылтама бар.
page-chat-held-phone = Хәбәрегез модераторны көтә: анда телефон номеры бар.
page-chat-held-payment = Хәбәрегез модераторны көтә: анда түләү сорала.
page-chat-held-contact = Хәбәрегез модераторны көтә: анда мессенджер телгә алына.
page-chat-muted-until = Модератор сезгә бу чатка { $time } кадәр язуны тыйды. Хәбәрегез урнаштырылмады.
page-chat-muted-session = Модератор сезгә бу чатка эфир ахырынача язуны тыйды. Хәбәрегез урнаштырылмады.
page-chat-wait = { $seconds } секундтан соң яңадан яза аласыз.
page-chat-not-live = Чат эфир барганда гына ачык.
page-chat-invalid = Бер юлга, 500 билгедән артмаган текст языгыз.
page-chat-network = Җибәрелмәде: серверга тоташып булмый. Кабатлау өчен «Җибәрү» төймәсенә басыгыз.

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = Заказ бирү өчен чатка { $example } дип языгыз.
page-chat-order-ship-to = Чаттан заказ бирү өчен җибәрү адресын тутырыгыз һәм хәбәрегезне кабат җибәрегез.
page-chat-resend = Кабат җибәрү
page-chat-order-variant = Бу товарның берничә варианты бар: өстәрәк берсен сайлагыз һәм төймә белән заказ бирегез.
page-chat-order-nothing = Хәзер чаттан заказ бирерлек әйбер юк.
page-chat-order-identity = Кытайга заказ өчен заказчының таныклык мәгълүматлары кирәк: өстәге төймә белән заказ бирегез.
