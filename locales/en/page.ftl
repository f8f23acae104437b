## The buyer's live page (crates/server/web/live/). Ids start with page-.
## $count is a number; $name, $city, $price, $total, $time, $id, $reason are text.

page-title = Live sale
page-brand = Silkstream Live
page-language = Language
page-currency = Currency
page-skip = Skip to the product

## Joining as a guest

page-join-heading = Join the live sale
page-join-intro = Tell the host who you are to order during the show. No account needed.
page-join-name = Display name
    .placeholder = e.g. Aigerim
page-join-country = Country
page-join-city = City
    .placeholder = e.g. Almaty
page-join-submit = Join
page-join-working = Joining…
page-join-expired = Your guest pass has expired or was withdrawn. Join again to keep ordering.
page-joined-as = You are { $name } from { $city }
page-sign-out = Not you? Join again

## The session

page-session-missing = This live session does not exist. Check the link the host shared.
page-session-scheduled = The show has not started yet. Stay on this page: it updates by itself.
page-session-live = Live
page-session-ended = This show has ended. Thank you for watching!
page-viewers = { $count ->
        [one] { $count } watching
       *[other] { $count } watching
    }

## The pinned product

page-product-heading = On screen now
page-no-product = The host has not pinned a product yet.
page-attributes = Details
page-sale-price = Flash sale price
page-regular-price = Price
page-price-converted = Converted at today's rate from { $price }
page-price-unavailable = No price in this currency. Choose another currency.
page-variant = Option

## The flash sale: ticker and countdown ($time is like 04:59)

page-sale-heading = Flash sale
page-sold = { $count ->
        [one] { $count } sold
       *[other] { $count } sold
    }
page-left = { $count ->
        [one] { $count } left
       *[other] { $count } left
    }
page-starts-in = Starts in { $time }
page-ends-in = Ends in { $time }
page-sale-paused = Paused by the host
page-sale-sold-out = Sold out
page-sale-ended = The sale has ended
page-limit = { $count ->
        [one] Limit: { $count } per buyer
       *[other] Limit: { $count } per buyer
    }

## Ordering

page-quantity = Quantity
page-quantity-less = One less
page-quantity-more = One more
page-order = Order now
page-ordering = Sending your order…
page-ship-heading = Delivery address
page-ship-intro = Kept in this browser for next time, and sent to the seller with each order.
page-ship-name = Recipient's full name
page-ship-phone = Phone
page-ship-country = Delivery country
page-ship-city = Delivery city
page-ship-address = Street address
page-ship-postal = Postal code
page-ship-missing = Fill in the delivery address first.
page-id-intro = Orders shipped to China are declared to customs under the orderer's real name and resident ID number: China's cross-border limits count per person. The number is kept only hashed and shown masked.
page-id-name = Orderer's real name
page-id-number = Resident ID number (18 characters)
page-id-missing = Fill in the orderer's real name and resident ID number first.

## Answers to an order (the server's own message is shown when it sends one)

page-answer-confirmed = Confirmed: order #{ $id }, { $count } for { $total }.
page-answer-sold-out = Sold out: no units are left.
page-answer-limit = You have reached this sale's limit per buyer.
page-answer-not-live = The show is not live, so orders are closed.
page-answer-not-started = The sale has not started yet.
page-answer-ended = The sale has ended.
page-answer-paused = The host has paused the sale. Try again in a moment.
page-answer-cross-border = This order is over a cross-border purchase limit.
page-answer-cross-border-unknown = This order's cross-border limit cannot be checked in this currency: choose another currency.
page-answer-ship-to = The delivery country must be one of this show's markets.
page-answer-rate-limited = Too many orders at once. Wait a moment and try again.
page-answer-network = The server cannot be reached. Check your connection and try again.
page-answer-unavailable = This product cannot be ordered in your market.

## The live stream of orders and the buyer's own orders

page-stream-heading = Orders right now
page-stream-empty = No orders yet. Be the first!
page-mine-heading = Your orders
page-mine-empty = You have not ordered in this show yet.
page-mine-line = Order #{ $id }: { $count } × { $product }, { $total }
page-status-confirmed = Confirmed
page-status-paid = Paid
page-status-shipped = Shipped
page-status-delivered = Delivered
page-status-cancelled = Cancelled

## Connection to the live feed

page-feed-connecting = Connecting…
page-feed-live = Live
page-feed-reconnecting = Connection lost, reconnecting…
page-feed-closed = Disconnected

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = Pay within { $time } or the order is cancelled.
page-pay-over = The time to pay is over.
page-duties-due = Duties and taxes are not included: about { $amount } more (customs estimate).
page-duties-none = Duties and taxes are not included; the customs estimate expects none for this order.
page-duties-on-delivery = Duties and taxes are not included: they are due on delivery.
page-duties-unknown = Duties and taxes are not included and could not be estimated.
page-ship-postal-optional = Postal code (if any)
page-check-field = Please check: { $field }
page-answer-failed = Something went wrong. Please try again in a moment.

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = Live stream
page-video-sound-on = Turn the sound on
page-video-sound-off = Mute
page-video-link = Watch the live stream on { $host }
page-video-waiting = The stream is not playing yet. Trying again…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = Chat
page-chat-empty = No messages yet. Say hello!
page-chat-label = Your message
    .placeholder = Write to the room…
page-chat-send = Send
page-chat-new = New messages below
page-chat-host = Host
page-chat-moderator = Moderator
page-chat-slow-mode = Slow mode: one message every { $seconds } s.
page-chat-held-link = Your message is waiting for a moderator: it contains a link.
page-chat-held-phone = Your message is waiting for a moderator: it contains a phone number.
page-chat-held-payment = Your message is waiting for a moderator: it asks for a payment.
page-chat-held-contact = Your message is waiting for a moderator: it names a messenger.
page-chat-muted-until = A moderator has muted you in this chat until { $time }. Your message was not posted.
page-chat-muted-session = A moderator has muted you in this chat for the rest of the show. Your message was not posted.
page-chat-wait = You can write again in { $seconds } s.
page-chat-not-live = The chat is open while the show is live.
page-chat-invalid = Write one line of up to 500 characters.
page-chat-network = Not sent: the server cannot be reached. Press Send to try again.

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = Type { $example } in the chat to order.
page-chat-order-ship-to = To order from the chat, fill in your delivery address, then send your message again.
page-chat-resend = Send again
page-chat-order-variant = This product comes in several options: choose one above and order with the button.
page-chat-order-nothing = There is nothing to order from the chat right now.
page-chat-order-identity = Orders to China need the orderer's ID: order with the button above.
