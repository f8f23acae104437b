## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = Chất liệu: { $value }
attr-flavour = Hương vị: { $value }
attr-size = Kích thước: { $value }
attr-net-weight-g = Khối lượng tịnh: { $grams } g
attr-net-weight-kg = Khối lượng tịnh: { $kg } kg
attr-volume-ml = Dung tích: { $ml } ml
attr-volume-l = Dung tích: { $litres } L
attr-shelf-life-days = Hạn sử dụng: { $days } ngày
attr-shelf-life-months = Hạn sử dụng: { $months } tháng
attr-storage = Bảo quản: { $value }
attr-origin = Xuất xứ: { $country }
price-line = Giá: { $price }
