## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = 订单已确认：{ $count } 件，合计 { $total }
order-sold-out = 抱歉，该商品已售罄。
order-limit-reached = 每位买家限购 { $limit } 件，您已达到上限。
order-not-live = 直播当前未在进行中。
order-not-started = 抢购尚未开始。
order-sale-ended = 抢购已结束。
order-paused = 抢购已暂停，请稍后再试。
order-invalid-quantity = 请选择有效的数量。
