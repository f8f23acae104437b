## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = Buyurtma tasdiqlandi: { $count } dona, jami { $total }
order-sold-out = Kechirasiz, mahsulot sotilib ketdi.
order-limit-reached = Siz chegaraga yetdingiz: bir xaridorga { $limit } donadan ortiq emas.
order-not-live = Hozir jonli efir yoʻq.
order-not-started = Savdo hali boshlanmadi.
order-sale-ended = Savdo yakunlandi.
order-paused = Savdo vaqtincha toʻxtatildi. Birozdan soʻng qayta urinib koʻring.
order-invalid-quantity = Toʻgʻri miqdorni tanlang.
