## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = { $count ->
        [one] Only { $count } left
       *[other] { $count } left
    }
stock-sold-out = Sold out
countdown-starts-seconds = Starts in { $count ->
        [one] { $count } second
       *[other] { $count } seconds
    }
countdown-starts-minutes = Starts in { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
countdown-starts-hours = Starts in { $count ->
        [one] { $count } hour
       *[other] { $count } hours
    }
countdown-ends-seconds = Ends in { $count ->
        [one] { $count } second
       *[other] { $count } seconds
    }
countdown-ends-minutes = Ends in { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
countdown-ends-hours = Ends in { $count ->
        [one] { $count } hour
       *[other] { $count } hours
    }
feed-bought = { $buyer } from { $city } bought { $count }
feed-bought-no-city = { $buyer } bought { $count }
