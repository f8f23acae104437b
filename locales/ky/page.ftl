## Сатып алуучунун түз эфир барагы (crates/server/web/live/). Идентификаторлор page- менен башталат.

page-title = Түз эфир
page-brand = Silkstream Live
page-language = Тил
page-currency = Валюта
page-skip = Товарга өтүү

## Конок катары кирүү

page-join-heading = Эфирге кошулуу
page-join-intro = Эфир учурунда буйрутма берүү үчүн өзүңүздү тааныштырыңыз. Катталуунун кереги жок.
page-join-name = Көрсөтүлүүчү атыңыз
    .placeholder = мисалы, Айгерим
page-join-country = Өлкө
page-join-city = Шаар
    .placeholder = мисалы, Бишкек
page-join-submit = Кошулуу
page-join-working = Кошулууда…
page-join-expired = Конок уруксатыңыздын мөөнөтү бүттү же ал жокко чыгарылды. Сатып алууну улантуу үчүн кайра кошулуңуз.
page-joined-as = Сиз — { $name }, { $city }
page-sign-out = Сиз эмессизби? Кайра кошулуу

## Эфир

page-session-missing = Мындай эфир жок. Алып баруучу жөнөткөн шилтемени текшериңиз.
page-session-scheduled = Эфир али башталган жок. Баракты жаппаңыз: ал өзү жаңыланат.
page-session-live = Эфирде
page-session-ended = Эфир аяктады. Биз менен болгонуңуз үчүн рахмат!
page-viewers = { $count } көрүүчү

## Бекитилген товар

page-product-heading = Азыр эфирде
page-no-product = Алып баруучу али товар беките элек.
page-attributes = Мүнөздөмөлөрү
page-sale-price = Эфирдеги баа
page-regular-price = Баасы
page-price-converted = Бүгүнкү курс боюнча { $price } суммасынан эсептелди
page-price-unavailable = Бул валютада баа жок. Башка валютаны тандаңыз.
page-variant = Вариант

## Тез сатуу: эсептегич жана таймер

page-sale-heading = Флеш-сатуу
page-sold = { $count } даана сатылды
page-left = { $count } даана калды
page-starts-in = Башталышына { $time } калды
page-ends-in = Аягына { $time } калды
page-sale-paused = Алып баруучу сатууну убактылуу токтотту
page-sale-sold-out = Баары сатылып бүттү
page-sale-ended = Сатуу аяктады
page-limit = Бир сатып алуучуга { $count } даанадан ашпайт

## Буйрутма

page-quantity = Саны
page-quantity-less = Бир даанага азайтуу
page-quantity-more = Бир даанага көбөйтүү
page-order = Буйрутма берүү
page-ordering = Буйрутма жөнөтүлүүдө…
page-ship-heading = Жеткирүү дареги
page-ship-intro = Кийинки жолу колдонуу үчүн ушул браузерде сакталат жана ар бир буйрутма менен сатуучуга жөнөтүлөт.
page-ship-name = Алуучунун аты-жөнү
page-ship-phone = Телефон
page-ship-country = Жеткирүү өлкөсү
page-ship-city = Жеткирүү шаары
page-ship-address = Көчө, үй, батир
page-ship-postal = Почта индекси
page-ship-missing = Адегенде жеткирүү дарегин толтуруңуз.
page-id-intro = Кытайга жеткирилүүчү буйрутмалар бажыга буйрутмачынын чыныгы аты-жөнү жана инсандык күбөлүгүнүн номери менен жарыяланат: Кытайдын чек ара аркылуу сатып алуу чектери бир адамга эсептелет. Номер хэш түрүндө гана сакталып, жашырылып көрсөтүлөт.
page-id-name = Буйрутмачынын чыныгы аты-жөнү
page-id-number = КЭР инсандык күбөлүгүнүн номери (18 белги)
page-id-missing = Адегенде буйрутмачынын аты-жөнүн жана күбөлүк номерин толтуруңуз.

## Буйрутмага жооптор

page-answer-confirmed = №{ $id } буйрутма ырасталды: { $count } даана, жалпы суммасы { $total }.
page-answer-sold-out = Баары сатылып бүттү: товар калган жок.
page-answer-limit = Сиз бул сатуудагы бир сатып алуучуга белгиленген чекке жеттиңиз.
page-answer-not-live = Эфир жүрүп жаткан жок, буйрутмалар кабыл алынбайт.
page-answer-not-started = Сатуу али башталган жок.
page-answer-ended = Сатуу аяктады.
page-answer-paused = Алып баруучу сатууну убактылуу токтотту. Бир аздан кийин кайра аракет кылыңыз.
page-answer-cross-border = Буйрутма чек ара аркылуу сатып алуу чегинен ашып кетти.
page-answer-cross-border-unknown = Бул валютада чек ара аркылуу сатып алуу чегин текшерүү мүмкүн эмес: башка валютаны тандаңыз.
page-answer-ship-to = Жеткирүү өлкөсү ушул эфирдин рыноктарынын бири болушу керек.
page-answer-rate-limited = Буйрутмалар өтө тез-тез жөнөтүлдү. Бир аз күтүп, кайра аракет кылыңыз.
page-answer-network = Серверге туташуу мүмкүн эмес. Байланышты текшерип, кайра аракет кылыңыз.
page-answer-unavailable = Бул товарды сиздин өлкөдө сатып алууга болбойт.

## Буйрутмалар агымы жана сатып алуучунун буйрутмалары

page-stream-heading = Дал азыркы буйрутмалар
page-stream-empty = Азырынча буйрутма жок. Биринчи болуңуз!
page-mine-heading = Сиздин буйрутмаларыңыз
page-mine-empty = Бул эфирде сиз али буйрутма берген жоксуз.
page-mine-line = №{ $id } буйрутма: { $product } × { $count }, { $total }
page-status-confirmed = Ырасталды
page-status-paid = Төлөндү
page-status-shipped = Жөнөтүлдү
page-status-delivered = Жеткирилди
page-status-cancelled = Жокко чыгарылды

## Эфирге туташуу абалы

page-feed-connecting = Туташууда…
page-feed-live = Эфирде
page-feed-reconnecting = Байланыш үзүлдү, кайра туташууда…
page-feed-closed = Ажыратылды

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = { $time } ичинде төлөңүз, болбосо буйрутма жокко чыгарылат.
page-pay-over = Төлөө убактысы бүттү.
page-duties-due = Бажы жана салыктар кирбейт: болжол менен дагы { $amount } (бажы эсеби).
page-duties-none = Бажы жана салыктар кирбейт; бажы эсеби боюнча бул буйрутмага алар төлөнбөйт.
page-duties-on-delivery = Бажы жана салыктар кирбейт: алар алганда төлөнөт.
page-duties-unknown = Бажы жана салыктар кирбейт, аларды эсептөө мүмкүн болгон жок.
page-ship-postal-optional = Почта индекси (болсо)
page-check-field = Текшериңиз: { $field }
page-answer-failed = Бир нерсе туура эмес болду. Бир аздан кийин кайра аракет кылыңыз.

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = Эфирдин трансляциясы
page-video-sound-on = Үндү күйгүзүү
page-video-sound-off = Үндү өчүрүү
page-video-link = Түз эфирди { $host } сайтында көрүү
page-video-waiting = Трансляция али көрсөтүлө элек. Кайра туташууда…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = Чат
page-chat-empty = Азырынча билдирүү жок. Салам айтыңыз!
page-chat-label = Билдирүүңүз
    .placeholder = Эфирдин чатына жазыңыз…
page-chat-send = Жөнөтүү
page-chat-new = Төмөндө жаңы билдирүүлөр бар
page-chat-host = Алып баруучу
page-chat-moderator = Модератор
page-chat-slow-mode = Жай режим: { $seconds } секундда бир билдирүү.
page-chat-held-link = Билдирүүңүз модераторду күтүп жатат: анда шилтеме бар.
page-chat-held-phone = Билдирүүңүз модераторду күтүп жатат: анда телефон номери бар.
page-chat-held-payment = Билдирүүңүз модераторду күтүп жатат: анда төлөм суралган.
page-chat-held-contact = Билдирүүңүз модераторду күтүп жатат: анда мессенджер аталган.
page-chat-muted-until = Модератор сизге бул чатка { $time } чейин жазууга тыюу салды. Билдирүүңүз жарыяланган жок.
page-chat-muted-session = Модератор сизге бул чатка эфирдин аягына чейин жазууга тыюу салды. Билдирүүңүз жарыяланган жок.
page-chat-wait = { $seconds } секунддан кийин кайра жаза аласыз.
page-chat-not-live = Чат эфир жүрүп жатканда гана ачык.
page-chat-invalid = Бир сапка, 500 белгиден ашпаган текст жазыңыз.
page-chat-network = Жөнөтүлгөн жок: серверге туташуу мүмкүн эмес. Кайталоо үчүн «Жөнөтүү» баскычын басыңыз.

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = Буйрутма берүү үчүн чатка { $example } деп жазыңыз.
page-chat-order-ship-to = Чаттан буйрутма берүү үчүн жеткирүү дарегин толтуруп, билдирүүңүздү кайра жөнөтүңүз.
page-chat-resend = Кайра жөнөтүү
page-chat-order-variant = Бул товардын бир нече варианты бар: жогорудан бирин тандап, баскыч менен буйрутма бериңиз.
page-chat-order-nothing = Азыр чаттан буйрутма бере турган эч нерсе жок.
page-chat-order-identity = Кытайга буйрутма берүү үчүн буйрутмачынын күбөлүк маалыматы керек: жогорудагы баскыч менен буйрутма бериңиз.
