## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = Bahan: { $value }
attr-flavour = Perisa: { $value }
attr-size = Saiz: { $value }
attr-net-weight-g = Berat bersih: { $grams } g
attr-net-weight-kg = Berat bersih: { $kg } kg
attr-volume-ml = Isi padu: { $ml } ml
attr-volume-l = Isi padu: { $litres } L
attr-shelf-life-days = Tempoh simpanan: { $days } hari
attr-shelf-life-months = Tempoh simpanan: { $months } bulan
attr-storage = Penyimpanan: { $value }
attr-origin = Negara asal: { $country }
price-line = Harga: { $price }
