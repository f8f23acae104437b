## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = Захиалга баталгаажлаа: { $count } ширхэг, нийт { $total }
order-sold-out = Уучлаарай, бараа бүгд зарагдсан.
order-limit-reached = Та хязгаартаа хүрлээ: нэг худалдан авагч { $limit } ширхгээс ихгүй авах боломжтой.
order-not-live = Шууд дамжуулалт одоогоор явагдаагүй байна.
order-not-started = Худалдаа хараахан эхлээгүй байна.
order-sale-ended = Худалдаа дууссан.
order-paused = Худалдааг түр зогсоосон. Түр хүлээгээд дахин оролдоно уу.
order-invalid-quantity = Зөв тоо ширхэг сонгоно уу.
