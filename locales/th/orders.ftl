## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = ยืนยันคำสั่งซื้อแล้ว: { $count } ชิ้น รวม { $total }
order-sold-out = ขออภัย สินค้านี้ขายหมดแล้ว
order-limit-reached = จำกัด { $limit } ชิ้นต่อผู้ซื้อ คุณซื้อครบจำนวนแล้ว
order-not-live = ขณะนี้ไม่ได้ถ่ายทอดสด
order-not-started = การขายยังไม่เริ่ม
order-sale-ended = การขายสิ้นสุดแล้ว
order-paused = การขายหยุดชั่วคราว โปรดลองใหม่อีกครั้งในอีกสักครู่
order-invalid-quantity = โปรดเลือกจำนวนที่ถูกต้อง
