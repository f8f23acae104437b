## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = ຢືນຢັນຄຳສັ່ງຊື້ແລ້ວ: { $count } ຊິ້ນ, ລວມ { $total }
order-sold-out = ຂໍອະໄພ, ສິນຄ້ານີ້ຂາຍໝົດແລ້ວ.
order-limit-reached = ຈຳກັດ { $limit } ຊິ້ນຕໍ່ຜູ້ຊື້, ທ່ານຊື້ຄົບຈຳນວນແລ້ວ.
order-not-live = ຕອນນີ້ບໍ່ໄດ້ຖ່າຍທອດສົດ.
order-not-started = ການຂາຍຍັງບໍ່ທັນເລີ່ມ.
order-sale-ended = ການຂາຍສິ້ນສຸດແລ້ວ.
order-paused = ການຂາຍຢຸດຊົ່ວຄາວ. ກະລຸນາລອງໃໝ່ອີກຄັ້ງໃນອີກບໍ່ດົນ.
order-invalid-quantity = ກະລຸນາເລືອກຈຳນວນທີ່ຖືກຕ້ອງ.
