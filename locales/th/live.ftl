## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = เหลือ { $count } ชิ้น
stock-sold-out = ขายหมดแล้ว
countdown-starts-seconds = เริ่มในอีก { $count } วินาที
countdown-starts-minutes = เริ่มในอีก { $count } นาที
countdown-starts-hours = เริ่มในอีก { $count } ชั่วโมง
countdown-ends-seconds = สิ้นสุดในอีก { $count } วินาที
countdown-ends-minutes = สิ้นสุดในอีก { $count } นาที
countdown-ends-hours = สิ้นสุดในอีก { $count } ชั่วโมง
feed-bought = { $buyer } จาก{ $city } ซื้อ { $count } ชิ้น
feed-bought-no-city = { $buyer } ซื้อ { $count } ชิ้น
