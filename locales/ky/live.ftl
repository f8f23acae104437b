## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = { $count } даана калды
stock-sold-out = Сатылып бүттү
countdown-starts-seconds = { $count } секунддан кийин башталат
countdown-starts-minutes = { $count } мүнөттөн кийин башталат
countdown-starts-hours = { $count } сааттан кийин башталат
countdown-ends-seconds = { $count } секунддан кийин аяктайт
countdown-ends-minutes = { $count } мүнөттөн кийин аяктайт
countdown-ends-hours = { $count } сааттан кийин аяктайт
feed-bought = { $buyer } ({ $city }) { $count } даана сатып алды
feed-bought-no-city = { $buyer } { $count } даана сатып алды
