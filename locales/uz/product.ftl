## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = Material: { $value }
attr-flavour = Taʼmi: { $value }
attr-size = Oʻlchami: { $value }
attr-net-weight-g = Sof ogʻirligi: { $grams } g
attr-net-weight-kg = Sof ogʻirligi: { $kg } kg
attr-volume-ml = Hajmi: { $ml } ml
attr-volume-l = Hajmi: { $litres } l
attr-shelf-life-days = Yaroqlilik muddati: { $days } kun
attr-shelf-life-months = Yaroqlilik muddati: { $months } oy
attr-storage = Saqlash sharoiti: { $value }
attr-origin = Ishlab chiqarilgan mamlakat: { $country }
price-line = Narxi: { $price }
