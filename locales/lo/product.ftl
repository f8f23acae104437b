## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = ວັດສະດຸ: { $value }
attr-flavour = ລົດຊາດ: { $value }
attr-size = ຂະໜາດ: { $value }
attr-net-weight-g = ນ້ຳໜັກສຸດທິ: { $grams } ກຣາມ
attr-net-weight-kg = ນ້ຳໜັກສຸດທິ: { $kg } ກິໂລກຣາມ
attr-volume-ml = ປະລິມານ: { $ml } ມລ
attr-volume-l = ປະລິມານ: { $litres } ລິດ
attr-shelf-life-days = ອາຍຸການເກັບຮັກສາ: { $days } ມື້
attr-shelf-life-months = ອາຍຸການເກັບຮັກສາ: { $months } ເດືອນ
attr-storage = ວິທີເກັບຮັກສາ: { $value }
attr-origin = ປະເທດຜູ້ຜະລິດ: { $country }
price-line = ລາຄາ: { $price }
