## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = { $count } дана қалды
stock-sold-out = Сатылып кетті
countdown-starts-seconds = { $count } секундтан кейін басталады
countdown-starts-minutes = { $count } минуттан кейін басталады
countdown-starts-hours = { $count } сағаттан кейін басталады
countdown-ends-seconds = { $count } секундтан кейін аяқталады
countdown-ends-minutes = { $count } минуттан кейін аяқталады
countdown-ends-hours = { $count } сағаттан кейін аяқталады
feed-bought = { $buyer } ({ $city }) { $count } дана сатып алды
feed-bought-no-city = { $buyer } { $count } дана сатып алды
