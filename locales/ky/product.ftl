## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = Материалы: { $value }
attr-flavour = Даамы: { $value }
attr-size = Өлчөмү: { $value }
attr-net-weight-g = Таза салмагы: { $grams } г
attr-net-weight-kg = Таза салмагы: { $kg } кг
attr-volume-ml = Көлөмү: { $ml } мл
attr-volume-l = Көлөмү: { $litres } л
attr-shelf-life-days = Жарактуулук мөөнөтү: { $days } күн
attr-shelf-life-months = Жарактуулук мөөнөтү: { $months } ай
attr-storage = Сактоо шарттары: { $value }
attr-origin = Өндүрүлгөн өлкөсү: { $country }
price-line = Баасы: { $price }
