## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = ເຫຼືອ { $count } ຊິ້ນ
stock-sold-out = ຂາຍໝົດແລ້ວ
countdown-starts-seconds = ເລີ່ມໃນອີກ { $count } ວິນາທີ
countdown-starts-minutes = ເລີ່ມໃນອີກ { $count } ນາທີ
countdown-starts-hours = ເລີ່ມໃນອີກ { $count } ຊົ່ວໂມງ
countdown-ends-seconds = ສິ້ນສຸດໃນອີກ { $count } ວິນາທີ
countdown-ends-minutes = ສິ້ນສຸດໃນອີກ { $count } ນາທີ
countdown-ends-hours = ສິ້ນສຸດໃນອີກ { $count } ຊົ່ວໂມງ
feed-bought = { $buyer } ຈາກ{ $city } ຊື້ { $count } ຊິ້ນ
feed-bought-no-city = { $buyer } ຊື້ { $count } ຊິ້ນ
