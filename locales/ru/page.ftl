## Страница покупателя в прямом эфире (crates/server/web/live/). Идентификаторы начинаются с page-.

page-title = Прямой эфир
page-brand = Silkstream Live
page-language = Язык
page-currency = Валюта
page-skip = Перейти к товару

## Вход гостем

page-join-heading = Присоединиться к эфиру
page-join-intro = Представьтесь, чтобы делать заказы во время эфира. Регистрация не нужна.
page-join-name = Имя для эфира
    .placeholder = например, Айгерим
page-join-country = Страна
page-join-city = Город
    .placeholder = например, Алматы
page-join-submit = Присоединиться
page-join-working = Подключаем…
page-join-expired = Ваш гостевой доступ истёк или был отозван. Присоединитесь снова, чтобы продолжить покупки.
page-joined-as = Вы — { $name }, { $city }
page-sign-out = Это не вы? Войти заново

## Эфир

page-session-missing = Такого эфира нет. Проверьте ссылку, которую прислал ведущий.
page-session-scheduled = Эфир ещё не начался. Не закрывайте страницу: она обновится сама.
page-session-live = В эфире
page-session-ended = Эфир завершён. Спасибо, что были с нами!
page-viewers = { $count ->
        [one] { $count } зритель
        [few] { $count } зрителя
        [many] { $count } зрителей
       *[other] { $count } зрителя
    }

## Закреплённый товар

page-product-heading = Сейчас в эфире
page-no-product = Ведущий ещё не закрепил товар.
page-attributes = Характеристики
page-sale-price = Цена в эфире
page-regular-price = Цена
page-price-converted = Пересчитано по сегодняшнему курсу из { $price }
page-price-unavailable = В этой валюте цены нет. Выберите другую валюту.
page-variant = Вариант

## Флеш-продажа: счётчик и таймер

page-sale-heading = Флеш-продажа
page-sold = Продано: { $count } шт.
page-left = Осталось: { $count } шт.
page-starts-in = Начало через { $time }
page-ends-in = До конца { $time }
page-sale-paused = Ведущий приостановил продажу
page-sale-sold-out = Всё распродано
page-sale-ended = Продажа завершена
page-limit = Не более { $count } шт. в одни руки

## Заказ

page-quantity = Количество
page-quantity-less = На одну меньше
page-quantity-more = На одну больше
page-order = Заказать
page-ordering = Отправляем заказ…
page-ship-heading = Адрес доставки
page-ship-intro = Сохраняется в этом браузере для следующих заказов и передаётся продавцу с каждым заказом.
page-ship-name = ФИО получателя
page-ship-phone = Телефон
page-ship-country = Страна доставки
page-ship-city = Город доставки
page-ship-address = Улица, дом, квартира
page-ship-postal = Почтовый индекс
page-ship-missing = Сначала заполните адрес доставки.
page-id-intro = Заказы с доставкой в Китай декларируются на таможне на имя и номер удостоверения личности заказчика: лимиты трансграничных покупок Китая считаются на человека. Номер хранится только в виде хеша и показывается скрытым.
page-id-name = Имя и фамилия заказчика
page-id-number = Номер удостоверения личности КНР (18 знаков)
page-id-missing = Сначала укажите имя заказчика и номер удостоверения личности.

## Ответы на заказ

page-answer-confirmed = Заказ №{ $id } подтверждён: { $count } шт. на сумму { $total }.
page-answer-sold-out = Всё распродано: товара не осталось.
page-answer-limit = Вы достигли лимита этой продажи на одного покупателя.
page-answer-not-live = Эфир не идёт, заказы закрыты.
page-answer-not-started = Продажа ещё не началась.
page-answer-ended = Продажа завершена.
page-answer-paused = Ведущий приостановил продажу. Попробуйте чуть позже.
page-answer-cross-border = Заказ превышает лимит трансграничных покупок.
page-answer-cross-border-unknown = Лимит трансграничных покупок нельзя проверить в этой валюте: выберите другую валюту.
page-answer-ship-to = Страна доставки должна быть одной из стран этого эфира.
page-answer-rate-limited = Слишком много заказов подряд. Подождите немного и попробуйте снова.
page-answer-network = Сервер недоступен. Проверьте подключение и попробуйте снова.
page-answer-unavailable = Этот товар нельзя заказать в вашей стране.

## Лента заказов и заказы покупателя

page-stream-heading = Заказы прямо сейчас
page-stream-empty = Заказов пока нет. Будьте первым!
page-mine-heading = Ваши заказы
page-mine-empty = В этом эфире вы ещё ничего не заказали.
page-mine-line = Заказ №{ $id }: { $count } × { $product }, { $total }
page-status-confirmed = Подтверждён
page-status-paid = Оплачен
page-status-shipped = Отправлен
page-status-delivered = Доставлен
page-status-cancelled = Отменён

## Подключение к эфиру

page-feed-connecting = Подключение…
page-feed-live = В эфире
page-feed-reconnecting = Связь потеряна, переподключаемся…
page-feed-closed = Отключено

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = Оплатите в течение { $time }, иначе заказ будет отменён.
page-pay-over = Время на оплату истекло.
page-duties-due = Пошлины и налоги не включены: примерно ещё { $amount } (таможенный расчёт).
page-duties-none = Пошлины и налоги не включены; по таможенному расчёту для этого заказа их нет.
page-duties-on-delivery = Пошлины и налоги не включены: они оплачиваются при получении.
page-duties-unknown = Пошлины и налоги не включены, рассчитать их не удалось.
page-ship-postal-optional = Почтовый индекс (если есть)
page-check-field = Проверьте поле: { $field }
page-answer-failed = Что-то пошло не так. Попробуйте ещё раз чуть позже.

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = Видеотрансляция
page-video-sound-on = Включить звук
page-video-sound-off = Выключить звук
page-video-link = Смотреть эфир на { $host }
page-video-waiting = Трансляция пока не воспроизводится. Пробуем ещё раз…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = Чат
page-chat-empty = Сообщений пока нет. Поздоровайтесь!
page-chat-label = Ваше сообщение
    .placeholder = Напишите в чат эфира…
page-chat-send = Отправить
page-chat-new = Ниже новые сообщения
page-chat-host = Ведущий
page-chat-moderator = Модератор
page-chat-slow-mode = Медленный режим: одно сообщение раз в { $seconds } с.
page-chat-held-link = Ваше сообщение ждёт модератора: в нём есть ссылка.
page-chat-held-phone = Ваше сообщение ждёт модератора: в нём есть номер телефона.
page-chat-held-payment = Ваше сообщение ждёт модератора: в нём есть просьба об оплате.
page-chat-held-contact = Ваше сообщение ждёт модератора: в нём упомянут мессенджер.
page-chat-muted-until = Модератор запретил вам писать в этот чат до { $time }. Сообщение не опубликовано.
page-chat-muted-session = Модератор запретил вам писать в этот чат до конца эфира. Сообщение не опубликовано.
page-chat-wait = Написать снова можно через { $seconds } с.
page-chat-not-live = Чат открыт, пока идёт эфир.
page-chat-invalid = Напишите одну строку, не длиннее 500 символов.
page-chat-network = Не отправлено: сервер недоступен. Нажмите «Отправить», чтобы повторить.

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = Чтобы заказать, напишите в чат { $example }.
page-chat-order-ship-to = Чтобы заказать из чата, заполните адрес доставки и отправьте сообщение ещё раз.
page-chat-resend = Отправить ещё раз
page-chat-order-variant = У этого товара несколько вариантов: выберите вариант выше и оформите заказ кнопкой.
page-chat-order-nothing = Сейчас из чата нечего заказать.
page-chat-order-identity = Для заказа в Китай нужны данные заказчика: оформите заказ кнопкой выше.
