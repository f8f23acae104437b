## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = Тапсырыс расталды: { $count } дана, жалпы сомасы { $total }
order-sold-out = Кешіріңіз, тауар сатылып кетті.
order-limit-reached = Сіз шекке жеттіңіз: бір сатып алушыға { $limit } данадан артық емес.
order-not-live = Қазір тікелей эфир жүріп жатқан жоқ.
order-not-started = Сатылым әлі басталған жоқ.
order-sale-ended = Сатылым аяқталды.
order-paused = Сатылым уақытша тоқтатылды. Сәл кейінірек қайталап көріңіз.
order-invalid-quantity = Дұрыс санын таңдаңыз.
