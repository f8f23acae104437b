## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = Буйрутма ырасталды: { $count } даана, жалпы суммасы { $total }
order-sold-out = Кечиресиз, товар сатылып бүттү.
order-limit-reached = Сиз чекке жеттиңиз: бир сатып алуучуга { $limit } даанадан ашпайт.
order-not-live = Азыр түз эфир жүрүп жаткан жок.
order-not-started = Сатуу али башталган жок.
order-sale-ended = Сатуу аяктады.
order-paused = Сатуу убактылуу токтотулду. Бир аздан кийин кайра аракет кылыңыз.
order-invalid-quantity = Туура санды тандаңыз.
