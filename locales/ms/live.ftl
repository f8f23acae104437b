## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = Tinggal { $count } lagi
stock-sold-out = Habis dijual
countdown-starts-seconds = Bermula dalam { $count } saat
countdown-starts-minutes = Bermula dalam { $count } minit
countdown-starts-hours = Bermula dalam { $count } jam
countdown-ends-seconds = Berakhir dalam { $count } saat
countdown-ends-minutes = Berakhir dalam { $count } minit
countdown-ends-hours = Berakhir dalam { $count } jam
feed-bought = { $buyer } dari { $city } membeli { $count }
feed-bought-no-city = { $buyer } membeli { $count }
