## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = Материал: { $value }
attr-flavour = Вкус: { $value }
attr-size = Размер: { $value }
attr-net-weight-g = Масса нетто: { $grams } г
attr-net-weight-kg = Масса нетто: { $kg } кг
attr-volume-ml = Объём: { $ml } мл
attr-volume-l = Объём: { $litres } л
attr-shelf-life-days = Срок годности: { $days ->
        [one] { $days } день
        [few] { $days } дня
        [many] { $days } дней
       *[other] { $days } дня
    }
attr-shelf-life-months = Срок годности: { $months ->
        [one] { $months } месяц
        [few] { $months } месяца
        [many] { $months } месяцев
       *[other] { $months } месяца
    }
attr-storage = Условия хранения: { $value }
attr-origin = Страна происхождения: { $country }
price-line = Цена: { $price }
