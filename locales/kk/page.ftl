## Сатып алушының тікелей эфир беті (crates/server/web/live/). Идентификаторлар page- деп басталады.

page-title = Тікелей эфир
page-brand = Silkstream Live
page-language = Тіл
page-currency = Валюта
page-skip = Тауарға өту

## Қонақ ретінде кіру

page-join-heading = Эфирге қосылу
page-join-intro = Эфир кезінде тапсырыс беру үшін өзіңізді таныстырыңыз. Тіркелудің қажеті жоқ.
page-join-name = Көрсетілетін атыңыз
    .placeholder = мысалы, Айгерім
page-join-country = Ел
page-join-city = Қала
    .placeholder = мысалы, Алматы
page-join-submit = Қосылу
page-join-working = Қосылуда…
page-join-expired = Қонақ рұқсатыңыздың мерзімі өтті немесе ол кері қайтарылды. Сатып алуды жалғастыру үшін қайта қосылыңыз.
page-joined-as = Сіз — { $name }, { $city }
page-sign-out = Сіз емессіз бе? Қайта қосылу

## Эфир

page-session-missing = Мұндай эфир жоқ. Жүргізуші жіберген сілтемені тексеріңіз.
page-session-scheduled = Эфир әлі басталған жоқ. Бетті жаппаңыз: ол өзі жаңарады.
page-session-live = Эфирде
page-session-ended = Эфир аяқталды. Бізбен бірге болғаныңызға рахмет!
page-viewers = { $count } көрермен

## Бекітілген тауар

page-product-heading = Қазір эфирде
page-no-product = Жүргізуші әлі тауар бекіткен жоқ.
page-attributes = Сипаттамалары
page-sale-price = Эфирдегі баға
page-regular-price = Бағасы
page-price-converted = Бүгінгі бағам бойынша { $price } сомасынан есептелді
page-price-unavailable = Бұл валютада баға жоқ. Басқа валютаны таңдаңыз.
page-variant = Нұсқа

## Флеш-сату: есептегіш және таймер

page-sale-heading = Флеш-сату
page-sold = { $count } дана сатылды
page-left = { $count } дана қалды
page-starts-in = Басталуына { $time } қалды
page-ends-in = Аяқталуына { $time } қалды
page-sale-paused = Жүргізуші сатуды тоқтата тұрды
page-sale-sold-out = Түгел сатылды
page-sale-ended = Сату аяқталды
page-limit = Бір сатып алушыға { $count } данадан артық емес

## Тапсырыс

page-quantity = Саны
page-quantity-less = Біреуге азайту
page-quantity-more = Біреуге көбейту
page-order = Тапсырыс беру
page-ordering = Тапсырыс жіберілуде…
page-ship-heading = Жеткізу мекенжайы
page-ship-intro = Келесі жолы қолдану үшін осы браузерде сақталады және әр тапсырыспен бірге сатушыға жіберіледі.
page-ship-name = Алушының аты-жөні
page-ship-phone = Телефон
page-ship-country = Жеткізу елі
page-ship-city = Жеткізу қаласы
page-ship-address = Көше, үй, пәтер
page-ship-postal = Пошта индексі
page-ship-missing = Алдымен жеткізу мекенжайын толтырыңыз.
page-id-intro = Қытайға жеткізілетін тапсырыстар кеденге тапсырыс берушінің шын аты-жөні мен жеке куәлік нөмірі бойынша мәлімделеді: Қытайдың шекара арқылы сатып алу шектері адам басына есептеледі. Нөмір тек хэш түрінде сақталып, жасырын көрсетіледі.
page-id-name = Тапсырыс берушінің шын аты-жөні
page-id-number = ҚХР жеке куәлік нөмірі (18 таңба)
page-id-missing = Алдымен тапсырыс берушінің аты-жөні мен куәлік нөмірін толтырыңыз.

## Тапсырысқа жауаптар

page-answer-confirmed = №{ $id } тапсырыс расталды: { $count } дана, жалпы сомасы { $total }.
page-answer-sold-out = Түгел сатылды: тауар қалмады.
page-answer-limit = Сіз бұл сатудағы бір сатып алушыға арналған шекке жеттіңіз.
page-answer-not-live = Эфир жүріп жатқан жоқ, тапсырыс қабылданбайды.
page-answer-not-started = Сату әлі басталған жоқ.
page-answer-ended = Сату аяқталды.
page-answer-paused = Жүргізуші сатуды тоқтата тұрды. Сәлден соң қайталап көріңіз.
page-answer-cross-border = Тапсырыс шекара арқылы сатып алу шегінен асып кетті.
page-answer-cross-border-unknown = Бұл валютада шекара арқылы сатып алу шегін тексеру мүмкін емес: басқа валютаны таңдаңыз.
page-answer-ship-to = Жеткізу елі осы эфирдің нарықтарының бірі болуы керек.
page-answer-rate-limited = Тапсырыстар тым жиі жіберілді. Біраз күтіп, қайталап көріңіз.
page-answer-network = Серверге қосылу мүмкін емес. Байланысты тексеріп, қайталап көріңіз.
page-answer-unavailable = Бұл тауарды сіздің еліңізде сатып алу мүмкін емес.

## Тапсырыстар ағыны және сатып алушының тапсырыстары

page-stream-heading = Дәл қазіргі тапсырыстар
page-stream-empty = Әзірге тапсырыс жоқ. Бірінші болыңыз!
page-mine-heading = Сіздің тапсырыстарыңыз
page-mine-empty = Бұл эфирде сіз әлі тапсырыс берген жоқсыз.
page-mine-line = №{ $id } тапсырыс: { $product } × { $count }, { $total }
page-status-confirmed = Расталды
page-status-paid = Төленді
page-status-shipped = Жөнелтілді
page-status-delivered = Жеткізілді
page-status-cancelled = Бас тартылды

## Эфирге қосылу күйі

page-feed-connecting = Қосылуда…
page-feed-live = Эфирде
page-feed-reconnecting = Байланыс үзілді, қайта қосылуда…
page-feed-closed = Ажыратылды

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = { $time } ішінде төлеңіз, әйтпесе тапсырыс жойылады.
page-pay-over = Төлем уақыты өтті.
page-duties-due = Баж және салықтар кірмейді: шамамен тағы { $amount } (кедендік есеп).
page-duties-none = Баж және салықтар кірмейді; кедендік есеп бойынша бұл тапсырысқа олар төленбейді.
page-duties-on-delivery = Баж және салықтар кірмейді: олар алған кезде төленеді.
page-duties-unknown = Баж және салықтар кірмейді, оларды есептеу мүмкін болмады.
page-ship-postal-optional = Пошта индексі (бар болса)
page-check-field = Тексеріңіз: { $field }
page-answer-failed = Бірдеңе дұрыс болмады. Сәлден кейін қайталап көріңіз.

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = Эфир трансляциясы
page-video-sound-on = Дыбысты қосу
page-video-sound-off = Дыбысты өшіру
page-video-link = Тікелей эфирді { $host } сайтында көру
page-video-waiting = Трансляция әлі көрсетілмей тұр. Қайта қосылуда…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = Чат
page-chat-empty = Әзірге хабарлама жоқ. Сәлем жолдаңыз!
page-chat-label = Хабарламаңыз
    .placeholder = Эфир чатына жазыңыз…
page-chat-send = Жіберу
page-chat-new = Төменде жаңа хабарламалар бар
page-chat-host = Жүргізуші
page-chat-moderator = Модератор
page-chat-slow-mode = Баяу режим: { $seconds } секундта бір хабарлама.
page-chat-held-link = Хабарламаңыз модераторды күтіп тұр: онда сілтеме бар.
page-chat-held-phone = Хабарламаңыз модераторды күтіп тұр: онда телефон нөмірі бар.
page-chat-held-payment = Хабарламаңыз модераторды күтіп тұр: онда төлем сұралған.
page-chat-held-contact = Хабарламаңыз модераторды күтіп тұр: онда мессенджер аталған.
page-chat-muted-until = Модератор сізге бұл чатқа { $time } дейін жазуға тыйым салды. Хабарламаңыз жарияланбады.
page-chat-muted-session = Модератор сізге бұл чатқа эфир соңына дейін жазуға тыйым салды. Хабарламаңыз жарияланбады.
page-chat-wait = { $seconds } секундтан кейін қайта жаза аласыз.
page-chat-not-live = Чат эфир жүріп жатқанда ғана ашық.
page-chat-invalid = Бір жолға, 500 таңбадан аспайтын мәтін жазыңыз.
page-chat-network = Жіберілмеді: серверге қосылу мүмкін емес. Қайталау үшін «Жіберу» түймесін басыңыз.

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = Тапсырыс беру үшін чатқа { $example } деп жазыңыз.
page-chat-order-ship-to = Чаттан тапсырыс беру үшін жеткізу мекенжайын толтырып, хабарламаңызды қайта жіберіңіз.
page-chat-resend = Қайта жіберу
page-chat-order-variant = Бұл тауардың бірнеше нұсқасы бар: жоғарыдан біреуін таңдап, түйме арқылы тапсырыс беріңіз.
page-chat-order-nothing = Қазір чаттан тапсырыс беретін ештеңе жоқ.
page-chat-order-identity = Қытайға тапсырыс беру үшін тапсырыс берушінің куәлік деректері керек: жоғарыдағы түйме арқылы тапсырыс беріңіз.
