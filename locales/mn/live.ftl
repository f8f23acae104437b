## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = { $count } ширхэг үлдлээ
stock-sold-out = Дууссан
countdown-starts-seconds = { $count } секундын дараа эхэлнэ
countdown-starts-minutes = { $count } минутын дараа эхэлнэ
countdown-starts-hours = { $count } цагийн дараа эхэлнэ
countdown-ends-seconds = { $count } секундын дараа дуусна
countdown-ends-minutes = { $count } минутын дараа дуусна
countdown-ends-hours = { $count } цагийн дараа дуусна
feed-bought = { $city } хотоос { $buyer } { $count } ширхэг худалдаж авлаа
