## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = Материал: { $value }
attr-flavour = Амт: { $value }
attr-size = Хэмжээ: { $value }
attr-net-weight-g = Цэвэр жин: { $grams } г
attr-net-weight-kg = Цэвэр жин: { $kg } кг
attr-volume-ml = Багтаамж: { $ml } мл
attr-volume-l = Багтаамж: { $litres } л
attr-shelf-life-days = Хадгалах хугацаа: { $days } хоног
attr-shelf-life-months = Хадгалах хугацаа: { $months } сар
attr-storage = Хадгалах нөхцөл: { $value }
attr-origin = Үйлдвэрлэсэн улс: { $country }
price-line = Үнэ: { $price }
