## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = Материал: { $value }
attr-flavour = Тәме: { $value }
attr-size = Үлчәме: { $value }
attr-net-weight-g = Саф авырлыгы: { $grams } г
attr-net-weight-kg = Саф авырлыгы: { $kg } кг
attr-volume-ml = Күләме: { $ml } мл
attr-volume-l = Күләме: { $litres } л
attr-shelf-life-days = Яраклылык вакыты: { $days } көн
attr-shelf-life-months = Яраклылык вакыты: { $months } ай
attr-storage = Саклау шартлары: { $value }
attr-origin = Җитештерелгән ил: { $country }
price-line = Бәясе: { $price }
