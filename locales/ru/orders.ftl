## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = Заказ подтверждён: { $count } шт. на сумму { $total }
order-sold-out = Извините, товар распродан.
order-limit-reached = Достигнут лимит: не более { $limit } шт. на одного покупателя.
order-not-live = Эфир сейчас не идёт.
order-not-started = Продажа ещё не началась.
order-sale-ended = Продажа завершена.
order-paused = Продажа приостановлена. Попробуйте чуть позже.
order-invalid-quantity = Укажите допустимое количество.
