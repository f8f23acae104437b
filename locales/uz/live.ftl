## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = { $count } dona qoldi
stock-sold-out = Sotilib ketdi
countdown-starts-seconds = { $count } soniyadan keyin boshlanadi
countdown-starts-minutes = { $count } daqiqadan keyin boshlanadi
countdown-starts-hours = { $count } soatdan keyin boshlanadi
countdown-ends-seconds = { $count } soniyadan keyin tugaydi
countdown-ends-minutes = { $count } daqiqadan keyin tugaydi
countdown-ends-hours = { $count } soatdan keyin tugaydi
feed-bought = { $buyer } ({ $city }) { $count } dona xarid qildi
feed-bought-no-city = { $buyer } { $count } dona xarid qildi
