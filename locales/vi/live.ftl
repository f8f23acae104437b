## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = Còn { $count } sản phẩm
stock-sold-out = Đã bán hết
countdown-starts-seconds = Bắt đầu sau { $count } giây
countdown-starts-minutes = Bắt đầu sau { $count } phút
countdown-starts-hours = Bắt đầu sau { $count } giờ
countdown-ends-seconds = Kết thúc sau { $count } giây
countdown-ends-minutes = Kết thúc sau { $count } phút
countdown-ends-hours = Kết thúc sau { $count } giờ
feed-bought = { $buyer } từ { $city } đã mua { $count } sản phẩm
feed-bought-no-city = { $buyer } đã mua { $count } sản phẩm
