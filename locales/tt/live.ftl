## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = { $count } данә калды
stock-sold-out = Сатылып бетте
countdown-starts-seconds = { $count } секундтан соң башлана
countdown-starts-minutes = { $count } минуттан соң башлана
countdown-starts-hours = { $count } сәгатьтән соң башлана
countdown-ends-seconds = { $count } секундтан соң тәмамлана
countdown-ends-minutes = { $count } минуттан соң тәмамлана
countdown-ends-hours = { $count } сәгатьтән соң тәмамлана
feed-bought = { $buyer } ({ $city }) { $count } данә сатып алды
feed-bought-no-city = { $buyer } { $count } данә сатып алды
