## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = { $count } ширхэг үлдлээ
stock-sold-out = Бүгд зарагдсан
countdown-starts-seconds = { $count } секундын дараа эхэлнэ
countdown-starts-minutes = { $count } минутын дараа эхэлнэ
countdown-starts-hours = { $count } цагийн дараа эхэлнэ
countdown-ends-seconds = { $count } секундын дараа дуусна
countdown-ends-minutes = { $count } минутын дараа дуусна
countdown-ends-hours = { $count } цагийн дараа дуусна
feed-bought = { $buyer } ({ $city }) { $count } ширхэг худалдаж авлаа
feed-bought-no-city = { $buyer } { $count } ширхэг худалдаж авлаа
