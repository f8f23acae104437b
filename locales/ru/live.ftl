## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = Осталось: { $count } шт.
stock-sold-out = Распродано
countdown-starts-seconds = Начнётся через { $count ->
        [one] { $count } секунду
        [few] { $count } секунды
        [many] { $count } секунд
       *[other] { $count } секунды
    }
countdown-starts-minutes = Начнётся через { $count ->
        [one] { $count } минуту
        [few] { $count } минуты
        [many] { $count } минут
       *[other] { $count } минуты
    }
countdown-starts-hours = Начнётся через { $count ->
        [one] { $count } час
        [few] { $count } часа
        [many] { $count } часов
       *[other] { $count } часа
    }
countdown-ends-seconds = Закончится через { $count ->
        [one] { $count } секунду
        [few] { $count } секунды
        [many] { $count } секунд
       *[other] { $count } секунды
    }
countdown-ends-minutes = Закончится через { $count ->
        [one] { $count } минуту
        [few] { $count } минуты
        [many] { $count } минут
       *[other] { $count } минуты
    }
countdown-ends-hours = Закончится через { $count ->
        [one] { $count } час
        [few] { $count } часа
        [many] { $count } часов
       *[other] { $count } часа
    }
feed-bought = Покупка: { $buyer } ({ $city }), { $count } шт.
feed-bought-no-city = Покупка: { $buyer }, { $count } шт.
