## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = Tersisa { $count }
stock-sold-out = Habis terjual
countdown-starts-seconds = Dimulai dalam { $count } detik
countdown-starts-minutes = Dimulai dalam { $count } menit
countdown-starts-hours = Dimulai dalam { $count } jam
countdown-ends-seconds = Berakhir dalam { $count } detik
countdown-ends-minutes = Berakhir dalam { $count } menit
countdown-ends-hours = Berakhir dalam { $count } jam
feed-bought = { $buyer } dari { $city } membeli { $count }
feed-bought-no-city = { $buyer } membeli { $count }
