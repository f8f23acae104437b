## Худалдан авагчийн шууд нэвтрүүлгийн хуудас (crates/server/web/live/). Дугаарууд page- гэж эхэлнэ.

page-title = Шууд худалдаа
page-brand = Silkstream Live
page-language = Хэл
page-currency = Валют
page-skip = Бараа руу шилжих

## Зочноор нэгдэх

page-join-heading = Шууд нэвтрүүлэгт нэгдэх
page-join-intro = Нэвтрүүлгийн үеэр захиалга өгөхийн тулд өөрийгөө танилцуулна уу. Бүртгүүлэх шаардлагагүй.
page-join-name = Харагдах нэр
    .placeholder = жишээ нь, Сарангэрэл
page-join-country = Улс
page-join-city = Хот
    .placeholder = жишээ нь, Улаанбаатар
page-join-submit = Нэгдэх
page-join-working = Нэгдэж байна…
page-join-expired = Таны зочны эрхийн хугацаа дууссан эсвэл цуцлагдсан байна. Худалдан авалтаа үргэлжлүүлэхийн тулд дахин нэгдэнэ үү.
page-joined-as = Та { $city } хотын { $name }
page-sign-out = Та биш үү? Дахин нэгдэх

## Нэвтрүүлэг

page-session-missing = Ийм нэвтрүүлэг олдсонгүй. Хөтлөгчийн илгээсэн холбоосыг шалгана уу.
page-session-scheduled = Нэвтрүүлэг хараахан эхлээгүй байна. Хуудсаа бүү хаа: автоматаар шинэчлэгдэнэ.
page-session-live = Шууд
page-session-ended = Нэвтрүүлэг дууслаа. Бидэнтэй хамт байсанд баярлалаа!
page-viewers = { $count } үзэгч

## Онцолсон бараа

page-product-heading = Одоо нэвтрүүлэгт
page-no-product = Хөтлөгч хараахан бараа бэхлээгүй байна.
page-attributes = Дэлгэрэнгүй
page-sale-price = Шууд дамжуулалтын үнэ
page-regular-price = Үнэ
page-price-converted = Өнөөдрийн ханшаар { $price }-өөс хөрвүүлсэн
page-price-unavailable = Энэ валютаар үнэ алга. Өөр валют сонгоно уу.
page-variant = Сонголт

## Шуурхай худалдаа: тоолуур ба цаг

page-sale-heading = Шуурхай худалдаа
page-sold = { $count } ширхэг зарагдсан
page-left = { $count } ширхэг үлдсэн
page-starts-in = Эхлэхэд { $time } үлдлээ
page-ends-in = Дуусахад { $time } үлдлээ
page-sale-paused = Хөтлөгч худалдааг түр зогсоосон
page-sale-sold-out = Бүгд зарагдсан
page-sale-ended = Шуурхай худалдаа дууслаа
page-limit = Нэг худалдан авагчид { $count } ширхгээс ихгүй

## Захиалга

page-quantity = Тоо ширхэг
page-quantity-less = Нэгээр хасах
page-quantity-more = Нэгээр нэмэх
page-order = Захиалах
page-ordering = Захиалгыг илгээж байна…
page-ship-heading = Хүргэлтийн хаяг
page-ship-intro = Дараагийн удаа ашиглахаар энэ хөтөчид хадгалагдаж, захиалга бүрийн хамт худалдагчид илгээгдэнэ.
page-ship-name = Хүлээн авагчийн овог нэр
page-ship-phone = Утас
page-ship-country = Хүргэлтийн улс
page-ship-city = Хүргэлтийн хот
page-ship-address = Гудамж, байр, тоот
page-ship-postal = Шуудангийн код
page-ship-missing = Эхлээд хүргэлтийн хаягаа бөглөнө үү.
page-id-intro = Хятад руу хүргэх захиалгыг захиалагчийн жинхэнэ нэр, иргэний үнэмлэхийн дугаараар гаалинд мэдүүлнэ: Хятадын хил дамнасан худалдан авалтын хязгаарыг хүн тус бүрээр тооцдог. Дугаарыг зөвхөн хэш хэлбэрээр хадгалж, нууцлан харуулна.
page-id-name = Захиалагчийн жинхэнэ нэр
page-id-number = БНХАУ-ын иргэний үнэмлэхийн дугаар (18 тэмдэгт)
page-id-missing = Эхлээд захиалагчийн нэр, үнэмлэхийн дугаараа бөглөнө үү.

## Захиалгын хариу

page-answer-confirmed = №{ $id } захиалга баталгаажлаа: { $count } ширхэг, нийт { $total }.
page-answer-sold-out = Бүгд зарагдсан: бараа үлдээгүй.
page-answer-limit = Та энэ шуурхай худалдааны нэг худалдан авагчид ногдох хязгаарт хүрлээ.
page-answer-not-live = Нэвтрүүлэг явагдаагүй байгаа тул захиалга хаалттай.
page-answer-not-started = Шуурхай худалдаа хараахан эхлээгүй байна.
page-answer-ended = Шуурхай худалдаа дууссан.
page-answer-paused = Хөтлөгч худалдааг түр зогсоосон. Түр хүлээгээд дахин оролдоно уу.
page-answer-cross-border = Энэ захиалга хил дамнасан худалдан авалтын хязгаараас хэтэрч байна.
page-answer-cross-border-unknown = Энэ валютаар хил дамнасан худалдан авалтын хязгаарыг шалгах боломжгүй: өөр валют сонгоно уу.
page-answer-ship-to = Хүргэлтийн улс энэ нэвтрүүлгийн зах зээлүүдийн нэг байх ёстой.
page-answer-rate-limited = Хэт олон захиалга зэрэг ирлээ. Түр хүлээгээд дахин оролдоно уу.
page-answer-network = Сервертэй холбогдож чадсангүй. Холболтоо шалгаад дахин оролдоно уу.
page-answer-unavailable = Энэ барааг таны улсад захиалах боломжгүй.

## Захиалгын урсгал ба худалдан авагчийн захиалгууд

page-stream-heading = Яг одоогийн захиалгууд
page-stream-empty = Одоогоор захиалга алга. Хамгийн түрүүнд захиалаарай!
page-mine-heading = Таны захиалгууд
page-mine-empty = Та энэ нэвтрүүлэгт хараахан захиалга өгөөгүй байна.
page-mine-line = №{ $id } захиалга: { $product } × { $count }, { $total }
page-status-confirmed = Баталгаажсан
page-status-paid = Төлөгдсөн
page-status-shipped = Илгээсэн
page-status-delivered = Хүргэгдсэн
page-status-cancelled = Цуцлагдсан

## Нэвтрүүлэгтэй холбогдох төлөв

page-feed-connecting = Холбогдож байна…
page-feed-live = Шууд
page-feed-reconnecting = Холболт тасарлаа, дахин холбогдож байна…
page-feed-closed = Салсан

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = { $time } дотор төлнө үү, эс тэгвэл захиалга цуцлагдана.
page-pay-over = Төлбөр төлөх хугацаа дууслаа.
page-duties-due = Гаалийн болон бусад татвар ороогүй: ойролцоогоор нэмж { $amount } (гаалийн тооцоо).
page-duties-none = Гаалийн болон бусад татвар ороогүй; гаалийн тооцоогоор энэ захиалгад төлөх шаардлагагүй.
page-duties-on-delivery = Гаалийн болон бусад татвар ороогүй: хүлээн авахдаа төлнө.
page-duties-unknown = Гаалийн болон бусад татвар ороогүй, тооцоолох боломжгүй байна.
page-ship-postal-optional = Шуудангийн код (байвал)
page-check-field = Шалгана уу: { $field }
page-answer-failed = Алдаа гарлаа. Хэсэг хугацааны дараа дахин оролдоно уу.

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = Шууд дамжуулалт
page-video-sound-on = Дууг асаах
page-video-sound-off = Дууг хаах
page-video-link = Шууд нэвтрүүлгийг { $host } сайтаас үзэх
page-video-waiting = Дамжуулалт хараахан тоглогдоогүй байна. Дахин оролдож байна…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = Чат
page-chat-empty = Одоогоор зурвас алга. Мэндчилгээ илгээгээрэй!
page-chat-label = Таны зурвас
    .placeholder = Нэвтрүүлгийн чатад бичээрэй…
page-chat-send = Илгээх
page-chat-new = Доор шинэ зурвас байна
page-chat-host = Хөтлөгч
page-chat-moderator = Модератор
page-chat-slow-mode = Удаан горим: { $seconds } секунд тутамд нэг зурвас.
page-chat-held-link = Таны зурвас модераторыг хүлээж байна: холбоос агуулсан байна.
page-chat-held-phone = Таны зурвас модераторыг хүлээж байна: утасны дугаар агуулсан байна.
page-chat-held-payment = Таны зурвас модераторыг хүлээж байна: төлбөр нэхсэн байна.
page-chat-held-contact = Таны зурвас модераторыг хүлээж байна: мессенжер дурдсан байна.
page-chat-muted-until = Модератор таныг энэ чатад { $time } хүртэл бичихийг хориглосон. Таны зурвас нийтлэгдсэнгүй.
page-chat-muted-session = Модератор таныг энэ чатад нэвтрүүлэг дуустал бичихийг хориглосон. Таны зурвас нийтлэгдсэнгүй.
page-chat-wait = { $seconds } секундын дараа дахин бичих боломжтой.
page-chat-not-live = Чат зөвхөн нэвтрүүлэг явагдаж байх үед нээлттэй.
page-chat-invalid = Нэг мөрөнд, 500 тэмдэгтээс хэтрэхгүй текст бичнэ үү.
page-chat-network = Илгээгдсэнгүй: сервертэй холбогдож чадсангүй. Дахин оролдохын тулд «Илгээх» товчийг дарна уу.

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = Захиалахын тулд чатад { $example } гэж бичнэ үү.
page-chat-order-ship-to = Чатаас захиалахын тулд хүргэлтийн хаягаа бөглөөд зурвасаа дахин илгээнэ үү.
page-chat-resend = Дахин илгээх
page-chat-order-variant = Энэ бараа хэд хэдэн сонголттой: дээрээс нэгийг сонгоод товчоор захиална уу.
page-chat-order-nothing = Одоогоор чатаас захиалах зүйл алга.
page-chat-order-identity = Хятад руу захиалахад захиалагчийн үнэмлэхийн мэдээлэл шаардлагатай: дээрх товчоор захиална уу.
