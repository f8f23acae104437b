## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = { $count } na lang ang natitira
stock-sold-out = Ubos na
countdown-starts-seconds = Magsisimula sa loob ng { $count } segundo
countdown-starts-minutes = Magsisimula sa loob ng { $count } minuto
countdown-starts-hours = Magsisimula sa loob ng { $count } oras
countdown-ends-seconds = Matatapos sa loob ng { $count } segundo
countdown-ends-minutes = Matatapos sa loob ng { $count } minuto
countdown-ends-hours = Matatapos sa loob ng { $count } oras
feed-bought = Si { $buyer } mula sa { $city } ay bumili ng { $count }
feed-bought-no-city = Si { $buyer } ay bumili ng { $count }
