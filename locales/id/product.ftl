## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = Bahan: { $value }
attr-flavour = Rasa: { $value }
attr-size = Ukuran: { $value }
attr-net-weight-g = Berat bersih: { $grams } g
attr-net-weight-kg = Berat bersih: { $kg } kg
attr-volume-ml = Volume: { $ml } ml
attr-volume-l = Volume: { $litres } L
attr-shelf-life-days = Masa simpan: { $days } hari
attr-shelf-life-months = Masa simpan: { $months } bulan
attr-storage = Penyimpanan: { $value }
attr-origin = Negara asal: { $country }
price-line = Harga: { $price }
