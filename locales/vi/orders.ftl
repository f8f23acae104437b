## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = Đã xác nhận đơn hàng: { $count } sản phẩm, tổng cộng { $total }
order-sold-out = Rất tiếc, sản phẩm này đã bán hết.
order-limit-reached = Mỗi người mua được mua tối đa { $limit } sản phẩm, bạn đã đạt giới hạn.
order-not-live = Phiên livestream hiện không phát sóng.
order-not-started = Đợt bán chưa bắt đầu.
order-sale-ended = Đợt bán đã kết thúc.
order-paused = Đợt bán đang tạm dừng. Vui lòng thử lại sau ít phút.
order-invalid-quantity = Vui lòng chọn số lượng hợp lệ.
