## Trang phát trực tiếp của người mua (crates/server/web/live/). Mã thông điệp bắt đầu bằng page-.
## Tiếng Việt không dùng bộ chọn số nhiều (docs/l10n.md).

page-title = Bán hàng trực tiếp
page-brand = Silkstream Live
page-language = Ngôn ngữ
page-currency = Tiền tệ
page-skip = Đến sản phẩm

## Tham gia với tư cách khách

page-join-heading = Tham gia buổi phát trực tiếp
page-join-intro = Cho người dẫn live biết bạn là ai để đặt hàng trong buổi phát. Không cần tạo tài khoản.
page-join-name = Tên hiển thị
    .placeholder = ví dụ: Thu Trang
page-join-country = Quốc gia
page-join-city = Thành phố
    .placeholder = ví dụ: Hà Nội
page-join-submit = Tham gia
page-join-working = Đang tham gia…
page-join-expired = Quyền truy cập khách của bạn đã hết hạn hoặc bị thu hồi. Hãy tham gia lại để tiếp tục mua hàng.
page-joined-as = Bạn là { $name } ở { $city }
page-sign-out = Không phải bạn? Tham gia lại

## Buổi phát

page-session-missing = Buổi phát này không tồn tại. Hãy kiểm tra đường link người dẫn live đã chia sẻ.
page-session-scheduled = Buổi phát chưa bắt đầu. Cứ ở lại trang này: trang sẽ tự cập nhật.
page-session-live = Đang phát
page-session-ended = Buổi phát đã kết thúc. Cảm ơn bạn đã theo dõi!
page-viewers = { $count } người đang xem

## Sản phẩm được ghim

page-product-heading = Đang giới thiệu
page-no-product = Người dẫn live chưa ghim sản phẩm nào.
page-attributes = Thông tin chi tiết
page-sale-price = Giá flash sale
page-regular-price = Giá
page-price-converted = Quy đổi theo tỷ giá hôm nay từ { $price }
page-price-unavailable = Chưa có giá bằng loại tiền này. Hãy chọn loại tiền khác.
page-variant = Phân loại

## Flash sale: số lượng và đồng hồ đếm ngược

page-sale-heading = Flash sale
page-sold = Đã bán { $count }
page-left = Còn lại { $count }
page-starts-in = Bắt đầu sau { $time }
page-ends-in = Kết thúc sau { $time }
page-sale-paused = Người dẫn live đã tạm dừng bán
page-sale-sold-out = Đã hết hàng
page-sale-ended = Flash sale đã kết thúc
page-limit = Tối đa { $count } sản phẩm mỗi người mua

## Đặt hàng

page-quantity = Số lượng
page-quantity-less = Bớt một
page-quantity-more = Thêm một
page-order = Đặt hàng ngay
page-ordering = Đang gửi đơn hàng…
page-ship-heading = Địa chỉ giao hàng
page-ship-intro = Được lưu trên trình duyệt này để dùng cho lần sau và được gửi cho người bán kèm mỗi đơn hàng.
page-ship-name = Họ tên người nhận
page-ship-phone = Số điện thoại
page-ship-country = Quốc gia nhận hàng
page-ship-city = Thành phố nhận hàng
page-ship-address = Địa chỉ (số nhà, đường)
page-ship-postal = Mã bưu chính
page-ship-missing = Vui lòng điền địa chỉ giao hàng trước.
page-id-intro = Đơn hàng giao đến Trung Quốc được khai báo hải quan theo họ tên thật và số căn cước của người đặt hàng: hạn mức mua hàng xuyên biên giới của Trung Quốc tính theo từng người. Số căn cước chỉ được lưu dưới dạng mã băm và hiển thị che bớt.
page-id-name = Họ tên thật của người đặt hàng
page-id-number = Số chứng minh thư nhân dân Trung Quốc (18 ký tự)
page-id-missing = Vui lòng điền họ tên và số căn cước của người đặt hàng trước.

## Phản hồi khi đặt hàng

page-answer-confirmed = Đã xác nhận đơn hàng #{ $id }: { $count } sản phẩm, tổng cộng { $total }.
page-answer-sold-out = Đã hết hàng: không còn sản phẩm nào.
page-answer-limit = Bạn đã đạt giới hạn mua cho mỗi người của đợt flash sale này.
page-answer-not-live = Buổi phát không diễn ra nên chưa nhận đơn.
page-answer-not-started = Flash sale chưa bắt đầu.
page-answer-ended = Flash sale đã kết thúc.
page-answer-paused = Người dẫn live đã tạm dừng bán. Vui lòng thử lại sau ít phút.
page-answer-cross-border = Đơn hàng vượt quá hạn mức mua hàng xuyên biên giới.
page-answer-cross-border-unknown = Không thể kiểm tra hạn mức xuyên biên giới của đơn hàng bằng loại tiền này: hãy chọn loại tiền khác.
page-answer-ship-to = Quốc gia giao hàng phải là một trong các thị trường của buổi phát này.
page-answer-rate-limited = Bạn đặt quá nhiều đơn cùng lúc. Vui lòng đợi một chút rồi thử lại.
page-answer-network = Không kết nối được máy chủ. Hãy kiểm tra kết nối mạng và thử lại.
page-answer-unavailable = Sản phẩm này không thể đặt mua tại thị trường của bạn.

## Đơn hàng đang diễn ra và đơn hàng của bạn

page-stream-heading = Đơn hàng vừa đặt
page-stream-empty = Chưa có đơn hàng nào. Hãy là người đầu tiên!
page-mine-heading = Đơn hàng của bạn
page-mine-empty = Bạn chưa đặt đơn nào trong buổi phát này.
page-mine-line = Đơn #{ $id }: { $product } × { $count }, { $total }
page-status-confirmed = Đã xác nhận
page-status-paid = Đã thanh toán
page-status-shipped = Đã gửi hàng
page-status-delivered = Đã giao
page-status-cancelled = Đã hủy

## Kết nối với buổi phát

page-feed-connecting = Đang kết nối…
page-feed-live = Đang phát
page-feed-reconnecting = Mất kết nối, đang kết nối lại…
page-feed-closed = Đã ngắt kết nối

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = Vui lòng thanh toán trong { $time }, nếu không đơn hàng sẽ bị hủy.
page-pay-over = Đã hết thời gian thanh toán.
page-duties-due = Chưa bao gồm thuế và phí hải quan: khoảng { $amount } nữa (ước tính hải quan).
page-duties-none = Chưa bao gồm thuế và phí hải quan; theo ước tính hải quan, đơn này không phải nộp.
page-duties-on-delivery = Chưa bao gồm thuế và phí hải quan: nộp khi nhận hàng.
page-duties-unknown = Chưa bao gồm thuế và phí hải quan và chưa thể ước tính.
page-ship-postal-optional = Mã bưu chính (nếu có)
page-check-field = Vui lòng kiểm tra: { $field }
page-answer-failed = Đã xảy ra lỗi. Vui lòng thử lại sau giây lát.

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = Video phát trực tiếp
page-video-sound-on = Bật âm thanh
page-video-sound-off = Tắt tiếng
page-video-link = Xem buổi phát trực tiếp trên { $host }
page-video-waiting = Video chưa phát được. Đang thử lại…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = Trò chuyện
page-chat-empty = Chưa có tin nhắn nào. Hãy gửi lời chào!
page-chat-label = Tin nhắn của bạn
    .placeholder = Viết vào phòng live…
page-chat-send = Gửi
page-chat-new = Có tin nhắn mới bên dưới
page-chat-host = Người dẫn live
page-chat-moderator = Quản trị viên
page-chat-slow-mode = Chế độ chậm: mỗi { $seconds } giây một tin nhắn.
page-chat-held-link = Tin nhắn của bạn đang chờ quản trị viên duyệt: tin có chứa đường link.
page-chat-held-phone = Tin nhắn của bạn đang chờ quản trị viên duyệt: tin có chứa số điện thoại.
page-chat-held-payment = Tin nhắn của bạn đang chờ quản trị viên duyệt: tin có yêu cầu chuyển tiền.
page-chat-held-contact = Tin nhắn của bạn đang chờ quản trị viên duyệt: tin có nhắc đến ứng dụng nhắn tin.
page-chat-muted-until = Quản trị viên đã chặn bạn nhắn tin trong phòng chat này đến { $time }. Tin nhắn của bạn chưa được đăng.
page-chat-muted-session = Quản trị viên đã chặn bạn nhắn tin trong phòng chat này đến hết buổi phát. Tin nhắn của bạn chưa được đăng.
page-chat-wait = Bạn có thể nhắn tiếp sau { $seconds } giây.
page-chat-not-live = Phòng chat chỉ mở khi buổi phát đang diễn ra.
page-chat-invalid = Hãy viết một dòng, tối đa 500 ký tự.
page-chat-network = Chưa gửi được: không kết nối được máy chủ. Bấm Gửi để thử lại.

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = Gõ { $example } vào khung trò chuyện để đặt hàng.
page-chat-order-ship-to = Để đặt hàng qua trò chuyện, vui lòng điền địa chỉ giao hàng rồi gửi lại tin nhắn.
page-chat-resend = Gửi lại
page-chat-order-variant = Sản phẩm này có nhiều phân loại: hãy chọn một phân loại ở trên và đặt hàng bằng nút.
page-chat-order-nothing = Hiện chưa có gì để đặt hàng qua trò chuyện.
page-chat-order-identity = Đơn gửi về Trung Quốc cần thông tin căn cước của người đặt hàng: hãy đặt hàng bằng nút ở trên.
