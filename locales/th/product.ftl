## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = วัสดุ: { $value }
attr-flavour = รสชาติ: { $value }
attr-size = ขนาด: { $value }
attr-net-weight-g = น้ำหนักสุทธิ: { $grams } กรัม
attr-net-weight-kg = น้ำหนักสุทธิ: { $kg } กิโลกรัม
attr-volume-ml = ปริมาตร: { $ml } มล.
attr-volume-l = ปริมาตร: { $litres } ลิตร
attr-shelf-life-days = อายุการเก็บรักษา: { $days } วัน
attr-shelf-life-months = อายุการเก็บรักษา: { $months } เดือน
attr-storage = วิธีเก็บรักษา: { $value }
attr-origin = ประเทศผู้ผลิต: { $country }
price-line = ราคา: { $price }
