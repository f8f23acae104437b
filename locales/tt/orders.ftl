## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = Заказ расланды: { $count } данә, барлыгы { $total }
order-sold-out = Гафу итегез, товар сатылып бетте.
order-limit-reached = Сез чиккә җиттегез: бер сатып алучыга { $limit } данәдән артык түгел.
order-not-live = Хәзер туры эфир бармый.
order-not-started = Сату әле башланмады.
order-sale-ended = Сату тәмамланды.
order-paused = Сату вакытлыча туктатылды. Бераздан соң кабатлап карагыз.
order-invalid-quantity = Дөрес санны сайлагыз.
