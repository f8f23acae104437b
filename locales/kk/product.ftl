## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = Материалы: { $value }
attr-flavour = Дәмі: { $value }
attr-size = Өлшемі: { $value }
attr-net-weight-g = Таза салмағы: { $grams } г
attr-net-weight-kg = Таза салмағы: { $kg } кг
attr-volume-ml = Көлемі: { $ml } мл
attr-volume-l = Көлемі: { $litres } л
attr-shelf-life-days = Жарамдылық мерзімі: { $days } күн
attr-shelf-life-months = Жарамдылық мерзімі: { $months } ай
attr-storage = Сақтау шарттары: { $value }
attr-origin = Шығарылған елі: { $country }
price-line = Бағасы: { $price }
