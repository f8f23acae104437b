## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = Materyal: { $value }
attr-flavour = Lasa: { $value }
attr-size = Sukat: { $value }
attr-net-weight-g = Net na timbang: { $grams } g
attr-net-weight-kg = Net na timbang: { $kg } kg
attr-volume-ml = Volume: { $ml } ml
attr-volume-l = Volume: { $litres } L
attr-shelf-life-days = Tagal bago mag-expire: { $days } araw
attr-shelf-life-months = Tagal bago mag-expire: { $months } buwan
attr-storage = Paraan ng pag-iimbak: { $value }
attr-origin = Bansang pinagmulan: { $country }
price-line = Presyo: { $price }
