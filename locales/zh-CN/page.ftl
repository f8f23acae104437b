## 买家直播页面（crates/server/web/live/）。消息 ID 以 page- 开头。

page-title = 直播特卖
page-brand = Silkstream 直播
page-language = 语言
page-currency = 货币
page-skip = 跳到商品

## 以访客身份加入

page-join-heading = 加入直播
page-join-intro = 留下昵称即可在直播中下单，无需注册。
page-join-name = 昵称
    .placeholder = 例如：小丽
page-join-country = 国家/地区
page-join-city = 城市
    .placeholder = 例如：阿拉木图
page-join-submit = 加入
page-join-working = 正在加入…
page-join-expired = 您的访客身份已过期或被撤销，请重新加入后继续下单。
page-joined-as = 您是来自{ $city }的 { $name }
page-sign-out = 不是您？重新加入

## 直播场次

page-session-missing = 该直播不存在，请检查主播分享的链接。
page-session-scheduled = 直播尚未开始。请停留在本页，页面会自动更新。
page-session-live = 直播中
page-session-ended = 本场直播已结束，感谢观看！
page-viewers = { $count } 人在看

## 置顶商品

page-product-heading = 正在讲解
page-no-product = 主播还没有置顶商品。
page-attributes = 商品详情
page-sale-price = 秒杀价
page-regular-price = 价格
page-price-converted = 按今日汇率由 { $price } 换算
page-price-unavailable = 该货币暂无价格，请选择其他货币。
page-variant = 规格

## 秒杀：销量与倒计时

page-sale-heading = 限时秒杀
page-sold = 已售 { $count } 件
page-left = 剩余 { $count } 件
page-starts-in = { $time } 后开始
page-ends-in = 距结束 { $time }
page-sale-paused = 主播已暂停销售
page-sale-sold-out = 已售罄
page-sale-ended = 秒杀已结束
page-limit = 每人限购 { $count } 件

## 下单

page-quantity = 数量
page-quantity-less = 减少一件
page-quantity-more = 增加一件
page-order = 立即下单
page-ordering = 正在提交订单…
page-ship-heading = 收货地址
page-ship-intro = 保存在本浏览器中，方便下次使用；每次下单时随订单发送给卖家。
page-ship-name = 收货人姓名
page-ship-phone = 电话
page-ship-country = 收货国家/地区
page-ship-city = 收货城市
page-ship-address = 详细地址
page-ship-postal = 邮政编码
page-ship-missing = 请先填写收货地址。
page-id-intro = 寄往中国的订单须以订购人的真实姓名和居民身份证号码向海关申报：跨境电商零售进口限额按人计算。身份证号码仅以加密摘要保存，显示时部分隐藏。
page-id-name = 订购人真实姓名
page-id-number = 居民身份证号码（18位）
page-id-missing = 请先填写订购人的真实姓名和身份证号码。

## 下单结果

page-answer-confirmed = 下单成功：订单 #{ $id }，{ $count } 件，共 { $total }。
page-answer-sold-out = 已售罄，没有剩余库存。
page-answer-limit = 您已达到本场秒杀的每人限购数量。
page-answer-not-live = 直播未在进行，暂不接受下单。
page-answer-not-started = 秒杀尚未开始。
page-answer-ended = 秒杀已结束。
page-answer-paused = 主播已暂停销售，请稍后再试。
page-answer-cross-border = 该订单超出跨境购物限额。
page-answer-cross-border-unknown = 无法以该币种核对此订单的跨境限额，请选择其他币种。
page-answer-ship-to = 收货国家必须是本场直播的销售市场之一。
page-answer-rate-limited = 下单过于频繁，请稍候再试。
page-answer-network = 无法连接服务器，请检查网络后重试。
page-answer-unavailable = 该商品无法在您所在的市场购买。

## 实时订单与我的订单

page-stream-heading = 实时订单
page-stream-empty = 还没有订单，快来抢第一单！
page-mine-heading = 我的订单
page-mine-empty = 您在本场直播中还没有下单。
page-mine-line = 订单 #{ $id }：{ $product } × { $count }，{ $total }
page-status-confirmed = 已确认
page-status-paid = 已付款
page-status-shipped = 已发货
page-status-delivered = 已送达
page-status-cancelled = 已取消

## 直播连接

page-feed-connecting = 正在连接…
page-feed-live = 直播中
page-feed-reconnecting = 连接中断，正在重连…
page-feed-closed = 已断开

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = 请在 { $time } 内付款，否则订单将被取消。
page-pay-over = 付款时间已过。
page-duties-due = 不含关税和税费：预计另需约 { $amount }（海关估算）。
page-duties-none = 不含关税和税费；按海关估算，本订单无需缴纳。
page-duties-on-delivery = 不含关税和税费：需在收货时缴纳。
page-duties-unknown = 不含关税和税费，目前无法估算。
page-ship-postal-optional = 邮政编码（如有）
page-check-field = 请检查：{ $field }
page-answer-failed = 出了点问题，请稍后再试。

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = 直播画面
page-video-sound-on = 打开声音
page-video-sound-off = 静音
page-video-link = 前往 { $host } 观看直播
page-video-waiting = 直播画面还未开始播放，正在重试…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = 聊天
page-chat-empty = 还没有消息，来打个招呼吧！
page-chat-label = 您的消息
    .placeholder = 在直播间发言…
page-chat-send = 发送
page-chat-new = 下方有新消息
page-chat-host = 主播
page-chat-moderator = 管理员
page-chat-slow-mode = 慢速模式：每 { $seconds } 秒只能发一条消息。
page-chat-held-link = 您的消息正在等待管理员审核：其中含有链接。
page-chat-held-phone = 您的消息正在等待管理员审核：其中含有电话号码。
page-chat-held-payment = 您的消息正在等待管理员审核：其中含有付款要求。
page-chat-held-contact = 您的消息正在等待管理员审核：其中提到了聊天软件。
page-chat-muted-until = 管理员已将您在本聊天中禁言至 { $time }。您的消息未发出。
page-chat-muted-session = 管理员已将您在本场直播剩余时间内禁言。您的消息未发出。
page-chat-wait = { $seconds } 秒后可以再次发言。
page-chat-not-live = 聊天仅在直播进行时开放。
page-chat-invalid = 请只写一行，最多 500 个字符。
page-chat-network = 未发送：无法连接服务器。请再次点击“发送”重试。

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = 在聊天中输入 { $example } 即可下单。
page-chat-order-ship-to = 要在聊天中下单，请先填写收货地址，然后重新发送您的消息。
page-chat-resend = 重新发送
page-chat-order-variant = 该商品有多个规格：请在上方选择一个，再点击按钮下单。
page-chat-order-nothing = 当前没有可以在聊天中下单的商品。
page-chat-order-identity = 寄往中国的订单需要订购人的身份信息：请使用上方的按钮下单。
