## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = Order confirmed: { $count ->
        [one] { $count } item
       *[other] { $count } items
    }, total { $total }
order-sold-out = Sorry, this item is sold out.
order-limit-reached = You have reached the limit of { $limit } per buyer.
order-not-live = This live session is not on air.
order-not-started = The sale has not started yet.
order-sale-ended = The sale has ended.
order-paused = The sale is paused. Please try again in a moment.
order-invalid-quantity = Please choose a valid quantity.
