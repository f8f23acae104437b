# Студийная консоль (/console/host) и панель операторов (/console/ops).

console-brand = Silkstream
console-skip = Перейти к консоли
console-sign-in = Войти
console-sign-out = Выйти
console-remember = Запомнить на этом устройстве
console-refresh = Обновить
console-ui-language = Язык
console-open = Открыть
console-open-session = Открыть «{ $title }»

## Feed state
console-feed-idle = Лента не открыта
console-feed-connecting = Подключение…
console-feed-live = В эфире
console-feed-reconnecting = Переподключение… (попытка { $attempt })
console-feed-closed = Отключено: { $reason }

## Studio console
console-host-title = Студийная консоль · Silkstream
console-host-brand = Студийная консоль
console-host-signin-heading = Студийная консоль
console-host-signin-intro = Войдите с токеном ведущего, чтобы вести свои эфиры.
console-token = Токен
console-host-token-needed = Это не токен ведущего: войдите с токеном ведущего.
console-sessions = Эфиры
console-sessions-empty = Эфиров пока нет: создайте первый ниже.
console-col-session = Эфир
console-col-state = Состояние
console-col-markets = Рынки
console-col-actions = Действия
console-state-scheduled = Запланирован
console-state-live = В эфире
console-state-ended = Завершён
console-new-session = Новый эфир
console-session-title = Название
console-session-language = Язык эфира
console-session-markets = Рынки
console-markets-help = Коды стран через запятую (KZ, VN).
console-create-session = Создать эфир
console-created = Эфир { $id } создан.
console-created-with-warnings = Эфир создан, с предупреждениями: { $terms }
console-warnings = Принято, с предупреждениями: { $terms }
console-session-meta = Эфир { $id } · рынки { $markets } · язык: { $language }
console-start-session = Начать эфир
console-end-session = Завершить эфир
console-end-confirm = Нажмите ещё раз, чтобы завершить эфир
console-buyer-page = Страница покупателя
console-showcase = Витрина
console-product-id = Номер товара
console-product-id-invalid = Номер товара — целое число.
console-add-to-showcase = Добавить на витрину
console-pin = Закрепить
console-pin-product = Закрепить «{ $title }»
console-unpin = Открепить
console-unpin-product = Открепить «{ $title }»
console-pinned = Закреплён
console-flash-sale = Флеш-продажа
console-variant = Вариант
console-quantity = Количество
console-limit = Лимит на покупателя
console-countdown = Отсчёт до начала (секунды)
console-duration = Длительность (минуты)
console-warehouse = Склад
console-warehouse-auto = Автоматически
console-prices = Цена флеш-продажи в каждой валюте (в основных единицах)
console-price-in = Цена в { $currency }
console-price-invalid = Цена в { $currency } — не сумма (например, 4990 или 4990.50).
console-number-invalid = { $field }: нужно целое число.
console-start-sale = Начать флеш-продажу
console-sale-started = Флеш-продажа началась: { $units } шт.
console-sale-what = { $sku } · { $prices } · не более { $limit } шт. на покупателя · со склада { $warehouse }
console-phase-countdown = Скоро начнётся
console-phase-running = Идёт
console-phase-paused = На паузе
console-phase-sold_out = Распродано
console-phase-ended = Завершена
console-starts-in = Начнётся через
console-ends-in = Закончится через
console-pause = Пауза
console-resume = Продолжить
console-restock-units = Добавить единиц
console-restock = Пополнить
console-restocked = Добавлено { $units } шт.
console-counters = Счётчики
console-orders = Заказы
console-units = Единицы
console-sold = Продано
console-left = Осталось
console-viewers = Зрители
console-gmv = Оборот
console-gmv-cny = Оборот (CNY)
console-gmv-in-cny = { $amount } в юанях
console-gmv-missing = Без курса: { $currencies }
console-chart = Заказы и оборот за эфир
console-chart-empty = Заказов пока нет
console-chart-desc = Заказов: { $orders }, оборот { $amount } в юанях.
console-live-orders = Заказы в эфире
console-orders-empty = Заказов пока нет.
console-order-line = { $who } · { $city }, { $country } · { $quantity ->
        [one] { $quantity } единица
        [few] { $quantity } единицы
        [many] { $quantity } единиц
       *[other] { $quantity } единицы
    }
console-order-confirmed = подтверждён
console-order-cancelled = отменён
console-order-paid = оплачен
console-order-shipped = отправлен
console-order-delivered = доставлен
console-summary = Итоги эфира
console-unpaid = Неоплаченные заказы
console-peak-viewers = Пик зрителей
console-top-products = Лучшие товары
console-top-product = { $title }: { $units }
console-as-of = По состоянию на

## Operations dashboard
console-ops-title = Операции · Silkstream
console-ops-brand = Операции
console-ops-signin-heading = Панель операторов
console-ops-signin-intro = Войдите с токеном оператора, чтобы видеть все эфиры.
console-ops-token-needed = Это не токен оператора или администратора.
console-rooms = Эфиры сейчас
console-rooms-empty = Сейчас нет ни одного эфира.
console-col-room = Эфир
console-col-host = Ведущий
console-open-room = Показать события эфира «{ $title }»
console-room-meta = Эфир { $id } · { $host } · { $markets }
console-as-of-time = Данные на { $time }
console-export = Скачать заказы (CSV)
console-exported = Заказы скачаны ({ $size } КБ).
console-gmv-by-market = Оборот по рынкам (CNY, все заказы)
console-close = Закрыть
console-left-n = осталось { $count }

## Operations dashboard: money owed back (GET /payments/refunds)
console-refunds = Деньги к возврату
console-refunds-intro = Деньги, которые провайдер списал, но которые не оплатили заказ: верните их через провайдера.
console-refunds-reason = Причина
console-refunds-any = Любая причина
console-refunds-empty = Возвращать нечего.
console-refund-mismatch = Не та сумма или валюта
console-refund-order_not_payable = Заказ уже нельзя было оплатить
console-refund-order_cancelled = Оплаченный заказ отменён
console-col-time = Время
console-col-order = Заказ
console-col-amount = Сумма
console-col-decided-by = Решение принял
console-col-transaction = Транзакция
console-previous = Назад
console-next = Вперёд
console-page-of = Страница { $page } из { $pages } (всего { $total })
