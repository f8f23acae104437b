## หน้าไลฟ์สดของผู้ซื้อ (crates/server/web/live/) รหัสข้อความขึ้นต้นด้วย page-

page-title = ไลฟ์ขายของ
page-brand = Silkstream Live
page-language = ภาษา
page-currency = สกุลเงิน
page-skip = ไปที่สินค้า

## เข้าร่วมในฐานะผู้เยี่ยมชม

page-join-heading = เข้าร่วมไลฟ์สด
page-join-intro = บอกชื่อของคุณเพื่อสั่งซื้อระหว่างไลฟ์ ไม่ต้องสมัครสมาชิก
page-join-name = ชื่อที่แสดง
    .placeholder = เช่น น้ำฝน
page-join-country = ประเทศ
page-join-city = เมือง
    .placeholder = เช่น เชียงใหม่
page-join-submit = เข้าร่วม
page-join-working = กำลังเข้าร่วม…
page-join-expired = สิทธิ์ผู้เยี่ยมชมของคุณหมดอายุหรือถูกเพิกถอนแล้ว โปรดเข้าร่วมอีกครั้งเพื่อสั่งซื้อต่อ
page-joined-as = คุณคือ { $name } จาก{ $city }
page-sign-out = ไม่ใช่คุณใช่ไหม เข้าร่วมใหม่

## ไลฟ์

page-session-missing = ไม่พบไลฟ์นี้ โปรดตรวจสอบลิงก์ที่ผู้จัดไลฟ์แชร์
page-session-scheduled = ไลฟ์ยังไม่เริ่ม อยู่ในหน้านี้ต่อได้เลย หน้าจะอัปเดตเอง
page-session-live = กำลังไลฟ์
page-session-ended = ไลฟ์จบแล้ว ขอบคุณที่รับชม!
page-viewers = กำลังดู { $count } คน

## สินค้าที่ปักหมุด

page-product-heading = กำลังนำเสนอ
page-no-product = ผู้จัดไลฟ์ยังไม่ได้ปักหมุดสินค้า
page-attributes = รายละเอียด
page-sale-price = ราคาแฟลชเซล
page-regular-price = ราคา
page-price-converted = แปลงจาก { $price } ตามอัตราแลกเปลี่ยนวันนี้
page-price-unavailable = ไม่มีราคาในสกุลเงินนี้ โปรดเลือกสกุลเงินอื่น
page-variant = ตัวเลือก

## แฟลชเซล: ยอดขายและนับถอยหลัง

page-sale-heading = แฟลชเซล
page-sold = ขายแล้ว { $count } ชิ้น
page-left = เหลือ { $count } ชิ้น
page-starts-in = เริ่มในอีก { $time }
page-ends-in = สิ้นสุดในอีก { $time }
page-sale-paused = ผู้จัดไลฟ์หยุดการขายชั่วคราว
page-sale-sold-out = ขายหมดแล้ว
page-sale-ended = แฟลชเซลสิ้นสุดแล้ว
page-limit = จำกัด { $count } ชิ้นต่อผู้ซื้อ

## การสั่งซื้อ

page-quantity = จำนวน
page-quantity-less = ลดหนึ่งชิ้น
page-quantity-more = เพิ่มหนึ่งชิ้น
page-order = สั่งซื้อเลย
page-ordering = กำลังส่งคำสั่งซื้อ…
page-ship-heading = ที่อยู่จัดส่ง
page-ship-intro = เก็บไว้ในเบราว์เซอร์นี้สำหรับครั้งถัดไป และส่งให้ผู้ขายพร้อมกับทุกคำสั่งซื้อ
page-ship-name = ชื่อ-นามสกุลผู้รับ
page-ship-phone = โทรศัพท์
page-ship-country = ประเทศปลายทาง
page-ship-city = เมืองปลายทาง
page-ship-address = ที่อยู่
page-ship-postal = รหัสไปรษณีย์
page-ship-missing = โปรดกรอกที่อยู่จัดส่งก่อน
page-id-intro = คำสั่งซื้อที่จัดส่งไปจีนต้องสำแดงต่อศุลกากรด้วยชื่อจริงและเลขบัตรประจำตัวประชาชนของผู้สั่งซื้อ: วงเงินการซื้อข้ามพรมแดนของจีนนับต่อบุคคล เลขบัตรจะเก็บไว้เฉพาะในรูปแฮชและแสดงแบบปิดบางส่วน
page-id-name = ชื่อจริงของผู้สั่งซื้อ
page-id-number = เลขบัตรประจำตัวประชาชนจีน (18 หลัก)
page-id-missing = โปรดกรอกชื่อจริงและเลขบัตรประจำตัวของผู้สั่งซื้อก่อน

## ผลการสั่งซื้อ

page-answer-confirmed = ยืนยันคำสั่งซื้อ #{ $id } แล้ว: { $count } ชิ้น ยอดรวม { $total }
page-answer-sold-out = ขายหมดแล้ว ไม่มีสินค้าเหลือ
page-answer-limit = คุณซื้อครบจำนวนที่จำกัดต่อผู้ซื้อของแฟลชเซลนี้แล้ว
page-answer-not-live = ไลฟ์ไม่ได้ออกอากาศอยู่ จึงปิดรับคำสั่งซื้อ
page-answer-not-started = แฟลชเซลยังไม่เริ่ม
page-answer-ended = แฟลชเซลสิ้นสุดแล้ว
page-answer-paused = ผู้จัดไลฟ์หยุดการขายชั่วคราว โปรดลองอีกครั้งในอีกสักครู่
page-answer-cross-border = คำสั่งซื้อนี้เกินวงเงินการซื้อข้ามพรมแดน
page-answer-cross-border-unknown = ไม่สามารถตรวจสอบวงเงินข้ามพรมแดนของคำสั่งซื้อนี้ในสกุลเงินนี้ได้ โปรดเลือกสกุลเงินอื่น
page-answer-ship-to = ประเทศปลายทางต้องเป็นหนึ่งในตลาดของไลฟ์นี้
page-answer-rate-limited = สั่งซื้อถี่เกินไป โปรดรอสักครู่แล้วลองใหม่
page-answer-network = ติดต่อเซิร์ฟเวอร์ไม่ได้ โปรดตรวจสอบการเชื่อมต่อแล้วลองใหม่
page-answer-unavailable = สินค้านี้ไม่สามารถสั่งซื้อในตลาดของคุณได้

## คำสั่งซื้อสดและคำสั่งซื้อของคุณ

page-stream-heading = คำสั่งซื้อล่าสุด
page-stream-empty = ยังไม่มีคำสั่งซื้อ มาเป็นคนแรกสิ!
page-mine-heading = คำสั่งซื้อของคุณ
page-mine-empty = คุณยังไม่ได้สั่งซื้อในไลฟ์นี้
page-mine-line = คำสั่งซื้อ #{ $id }: { $product } × { $count }, { $total }
page-status-confirmed = ยืนยันแล้ว
page-status-paid = ชำระเงินแล้ว
page-status-shipped = จัดส่งแล้ว
page-status-delivered = ได้รับสินค้าแล้ว
page-status-cancelled = ยกเลิกแล้ว

## การเชื่อมต่อไลฟ์

page-feed-connecting = กำลังเชื่อมต่อ…
page-feed-live = กำลังไลฟ์
page-feed-reconnecting = การเชื่อมต่อขาดหาย กำลังเชื่อมต่อใหม่…
page-feed-closed = ตัดการเชื่อมต่อแล้ว

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = โปรดชำระเงินภายใน { $time } มิฉะนั้นคำสั่งซื้อจะถูกยกเลิก
page-pay-over = หมดเวลาชำระเงินแล้ว
page-duties-due = ยังไม่รวมอากรและภาษี: ประมาณ { $amount } เพิ่มเติม (ประมาณการของศุลกากร)
page-duties-none = ยังไม่รวมอากรและภาษี ตามประมาณการของศุลกากร คำสั่งซื้อนี้ไม่ต้องชำระ
page-duties-on-delivery = ยังไม่รวมอากรและภาษี: ชำระเมื่อรับสินค้า
page-duties-unknown = ยังไม่รวมอากรและภาษี และไม่สามารถประมาณการได้
page-ship-postal-optional = รหัสไปรษณีย์ (ถ้ามี)
page-check-field = โปรดตรวจสอบ: { $field }
page-answer-failed = เกิดข้อผิดพลาด โปรดลองอีกครั้งในอีกสักครู่

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = วิดีโอไลฟ์สด
page-video-sound-on = เปิดเสียง
page-video-sound-off = ปิดเสียง
page-video-link = ดูไลฟ์สดบน { $host }
page-video-waiting = วิดีโอยังไม่เล่น กำลังลองใหม่…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = แชท
page-chat-empty = ยังไม่มีข้อความ มาทักทายกันเลย!
page-chat-label = ข้อความของคุณ
    .placeholder = พิมพ์ข้อความถึงห้องไลฟ์…
page-chat-send = ส่ง
page-chat-new = มีข้อความใหม่ด้านล่าง
page-chat-host = ผู้จัดไลฟ์
page-chat-moderator = ผู้ดูแล
page-chat-slow-mode = โหมดช้า: ส่งได้หนึ่งข้อความทุก { $seconds } วินาที
page-chat-held-link = ข้อความของคุณกำลังรอผู้ดูแลตรวจสอบ เพราะมีลิงก์
page-chat-held-phone = ข้อความของคุณกำลังรอผู้ดูแลตรวจสอบ เพราะมีเบอร์โทรศัพท์
page-chat-held-payment = ข้อความของคุณกำลังรอผู้ดูแลตรวจสอบ เพราะมีการขอให้โอนเงิน
page-chat-held-contact = ข้อความของคุณกำลังรอผู้ดูแลตรวจสอบ เพราะมีการพูดถึงแอปแชท
page-chat-muted-until = ผู้ดูแลปิดไม่ให้คุณส่งข้อความในแชทนี้จนถึง { $time } ข้อความของคุณยังไม่ได้โพสต์
page-chat-muted-session = ผู้ดูแลปิดไม่ให้คุณส่งข้อความในแชทนี้จนจบไลฟ์ ข้อความของคุณยังไม่ได้โพสต์
page-chat-wait = ส่งข้อความได้อีกครั้งในอีก { $seconds } วินาที
page-chat-not-live = แชทเปิดเฉพาะระหว่างที่กำลังไลฟ์
page-chat-invalid = พิมพ์ได้หนึ่งบรรทัด ไม่เกิน 500 ตัวอักษร
page-chat-network = ส่งไม่สำเร็จ ติดต่อเซิร์ฟเวอร์ไม่ได้ กด ส่ง เพื่อลองใหม่

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = พิมพ์ { $example } ในแชทเพื่อสั่งซื้อ
page-chat-order-ship-to = หากต้องการสั่งซื้อจากแชท โปรดกรอกที่อยู่จัดส่ง แล้วส่งข้อความอีกครั้ง
page-chat-resend = ส่งอีกครั้ง
page-chat-order-variant = สินค้านี้มีหลายตัวเลือก โปรดเลือกตัวเลือกด้านบนแล้วสั่งซื้อด้วยปุ่ม
page-chat-order-nothing = ขณะนี้ยังไม่มีสินค้าให้สั่งซื้อจากแชท
page-chat-order-identity = คำสั่งซื้อที่ส่งไปจีนต้องมีข้อมูลบัตรประจำตัวของผู้สั่งซื้อ โปรดสั่งซื้อด้วยปุ่มด้านบน
