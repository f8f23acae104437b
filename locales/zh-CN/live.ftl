## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = 仅剩 { $count } 件
stock-sold-out = 已售罄
countdown-starts-seconds = { $count } 秒后开始
countdown-starts-minutes = { $count } 分钟后开始
countdown-starts-hours = { $count } 小时后开始
countdown-ends-seconds = { $count } 秒后结束
countdown-ends-minutes = { $count } 分钟后结束
countdown-ends-hours = { $count } 小时后结束
feed-bought = 来自{ $city }的 { $buyer } 购买了 { $count } 件
feed-bought-no-city = { $buyer } 购买了 { $count } 件
