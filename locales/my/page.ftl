## ဝယ်သူ၏ တိုက်ရိုက်ထုတ်လွှင့်မှု စာမျက်နှာ (crates/server/web/live/)။ မက်ဆေ့ချ် ID များသည် page- ဖြင့် စသည်။

page-title = တိုက်ရိုက်ရောင်းချမှု
page-brand = Silkstream Live
page-language = ဘာသာစကား
page-currency = ငွေကြေး
page-skip = ပစ္စည်းသို့ သွားရန်

## ဧည့်သည်အဖြစ် ဝင်ရောက်ခြင်း

page-join-heading = တိုက်ရိုက်ထုတ်လွှင့်မှုသို့ ဝင်ရောက်ရန်
page-join-intro = ထုတ်လွှင့်နေစဉ် မှာယူနိုင်ရန် သင့်အမည်ကို ပြောပြပါ။ အကောင့်ဖွင့်ရန် မလိုပါ။
page-join-name = ပြသမည့်အမည်
    .placeholder = ဥပမာ - သီတာ
page-join-country = နိုင်ငံ
page-join-city = မြို့
    .placeholder = ဥပမာ - ရန်ကုန်
page-join-submit = ဝင်ရောက်မည်
page-join-working = ဝင်ရောက်နေသည်…
page-join-expired = သင်၏ ဧည့်သည်ခွင့်ပြုချက် သက်တမ်းကုန်သွားပြီ သို့မဟုတ် ရုပ်သိမ်းခံရပြီ။ ဆက်လက်ဝယ်ယူရန် ထပ်မံဝင်ရောက်ပါ။
page-joined-as = သင်သည် { $city } မှ { $name } ဖြစ်သည်
page-sign-out = သင်မဟုတ်ဘူးလား။ ထပ်မံဝင်ရောက်ရန်

## ထုတ်လွှင့်မှု

page-session-missing = ဤထုတ်လွှင့်မှု မရှိပါ။ တင်ဆက်သူ မျှဝေထားသော လင့်ခ်ကို စစ်ဆေးပါ။
page-session-scheduled = ထုတ်လွှင့်မှု မစတင်သေးပါ။ ဤစာမျက်နှာတွင် ဆက်နေပါ - အလိုအလျောက် အပ်ဒိတ်ဖြစ်ပါမည်။
page-session-live = တိုက်ရိုက်
page-session-ended = ထုတ်လွှင့်မှု ပြီးဆုံးသွားပါပြီ။ ကြည့်ရှုပေးသည့်အတွက် ကျေးဇူးတင်ပါသည်။
page-viewers = { $count } ယောက် ကြည့်နေသည်

## ပင်ထိုးထားသော ပစ္စည်း

page-product-heading = ယခု ပြသနေသည်
page-no-product = တင်ဆက်သူသည် ပစ္စည်းကို ပင်မထိုးရသေးပါ။
page-attributes = အသေးစိတ်
page-sale-price = ဖလက်ရှ်ဆေးလ် ဈေးနှုန်း
page-regular-price = ဈေးနှုန်း
page-price-converted = ယနေ့ ငွေလဲနှုန်းဖြင့် { $price } မှ ပြောင်းလဲထားသည်
page-price-unavailable = ဤငွေကြေးဖြင့် ဈေးနှုန်း မရှိပါ။ အခြားငွေကြေးကို ရွေးပါ။
page-variant = ရွေးချယ်မှု

## ဖလက်ရှ်ဆေးလ် - အရေအတွက်နှင့် နောက်ပြန်ရေတွက်ခြင်း

page-sale-heading = ဖလက်ရှ်ဆေးလ်
page-sold = { $count } ခု ရောင်းပြီး
page-left = { $count } ခု ကျန်သည်
page-starts-in = { $time } အကြာတွင် စတင်မည်
page-ends-in = { $time } အကြာတွင် ပြီးဆုံးမည်
page-sale-paused = တင်ဆက်သူက ရောင်းချမှုကို ခေတ္တရပ်ထားသည်
page-sale-sold-out = ကုန်သွားပါပြီ
page-sale-ended = ရောင်းချမှု ပြီးဆုံးပါပြီ
page-limit = ဝယ်သူတစ်ဦးလျှင် { $count } ခုအထိ

## မှာယူခြင်း

page-quantity = အရေအတွက်
page-quantity-less = တစ်ခု လျှော့ရန်
page-quantity-more = တစ်ခု တိုးရန်
page-order = ယခု မှာယူမည်
page-ordering = မှာယူမှုကို ပို့နေသည်…
page-ship-heading = ပို့ဆောင်ရမည့် လိပ်စာ
page-ship-intro = နောက်တစ်ကြိမ်အတွက် ဤဘရောက်ဇာတွင် သိမ်းထားပြီး မှာယူမှုတိုင်းနှင့်အတူ ရောင်းသူထံ ပို့ပေးသည်။
page-ship-name = လက်ခံသူ၏ အမည်အပြည့်အစုံ
page-ship-phone = ဖုန်းနံပါတ်
page-ship-country = ပို့ဆောင်မည့် နိုင်ငံ
page-ship-city = ပို့ဆောင်မည့် မြို့
page-ship-address = လိပ်စာ (အိမ်အမှတ်၊ လမ်း)
page-ship-postal = စာတိုက်သင်္ကေတ
page-ship-missing = ပို့ဆောင်ရမည့် လိပ်စာကို အရင်ဖြည့်ပါ။
page-id-intro = တရုတ်သို့ ပို့ဆောင်မည့် မှာယူမှုများကို မှာယူသူ၏ အမည်ရင်းနှင့် နိုင်ငံသားမှတ်ပုံတင်အမှတ်ဖြင့် အကောက်ခွန်သို့ ကြေညာရသည်- တရုတ်၏ နယ်စပ်ဖြတ်ကျော် ဝယ်ယူမှု ကန့်သတ်ချက်များကို လူတစ်ဦးချင်းအလိုက် တွက်သည်။ အမှတ်ကို hash အဖြစ်သာ သိမ်းပြီး တစ်စိတ်တစ်ပိုင်း ဖုံးကွယ်ပြသည်။
page-id-name = မှာယူသူ၏ အမည်ရင်း
page-id-number = တရုတ် နိုင်ငံသားမှတ်ပုံတင်အမှတ် (စာလုံး ၁၈ လုံး)
page-id-missing = မှာယူသူ၏ အမည်ရင်းနှင့် မှတ်ပုံတင်အမှတ်ကို အရင်ဖြည့်ပါ။

## မှာယူမှုအတွက် အဖြေများ

page-answer-confirmed = မှာယူမှု #{ $id } အတည်ပြုပြီး - { $count } ခု၊ စုစုပေါင်း { $total }။
page-answer-sold-out = ကုန်သွားပါပြီ - ကျန်သည့်ပစ္စည်း မရှိပါ။
page-answer-limit = ဤရောင်းချမှုတွင် ဝယ်သူတစ်ဦးချင်းအတွက် ကန့်သတ်ချက်အထိ ဝယ်ပြီးပါပြီ။
page-answer-not-live = ထုတ်လွှင့်မှု မရှိသဖြင့် မှာယူမှုများ ပိတ်ထားသည်။
page-answer-not-started = ရောင်းချမှု မစတင်သေးပါ။
page-answer-ended = ရောင်းချမှု ပြီးဆုံးပါပြီ။
page-answer-paused = တင်ဆက်သူက ရောင်းချမှုကို ခေတ္တရပ်ထားသည်။ ခဏအကြာတွင် ထပ်စမ်းကြည့်ပါ။
page-answer-cross-border = ဤမှာယူမှုသည် နယ်စပ်ဖြတ်ကျော် ဝယ်ယူမှု ကန့်သတ်ချက်ကို ကျော်လွန်နေသည်။
page-answer-cross-border-unknown = ဤငွေကြေးဖြင့် ဤမှာယူမှု၏ နယ်စပ်ဖြတ်ကျော် ကန့်သတ်ချက်ကို စစ်ဆေး၍ မရပါ- အခြားငွေကြေးကို ရွေးပါ။
page-answer-ship-to = ပို့ဆောင်မည့်နိုင်ငံသည် ဤထုတ်လွှင့်မှု၏ ဈေးကွက်များထဲမှ တစ်ခု ဖြစ်ရမည်။
page-answer-rate-limited = မှာယူမှု အလွန်များနေသည်။ ခဏစောင့်ပြီး ထပ်စမ်းကြည့်ပါ။
page-answer-network = ဆာဗာနှင့် ချိတ်ဆက်၍ မရပါ။ ချိတ်ဆက်မှုကို စစ်ဆေးပြီး ထပ်စမ်းကြည့်ပါ။
page-answer-unavailable = ဤပစ္စည်းကို သင့်ဈေးကွက်တွင် မှာယူ၍ မရပါ။

## လက်ရှိ မှာယူမှုများနှင့် သင့်မှာယူမှုများ

page-stream-heading = ယခု မှာယူမှုများ
page-stream-empty = မှာယူမှု မရှိသေးပါ။ ပထမဆုံး ဖြစ်လိုက်ပါ။
page-mine-heading = သင့်မှာယူမှုများ
page-mine-empty = ဤထုတ်လွှင့်မှုတွင် သင် မမှာယူရသေးပါ။
page-mine-line = မှာယူမှု #{ $id } - { $product } × { $count }၊ { $total }
page-status-confirmed = အတည်ပြုပြီး
page-status-paid = ငွေပေးချေပြီး
page-status-shipped = ပို့ဆောင်ပြီး
page-status-delivered = လက်ခံရရှိပြီး
page-status-cancelled = ပယ်ဖျက်ပြီး

## ထုတ်လွှင့်မှုနှင့် ချိတ်ဆက်မှု

page-feed-connecting = ချိတ်ဆက်နေသည်…
page-feed-live = တိုက်ရိုက်
page-feed-reconnecting = ချိတ်ဆက်မှု ပြတ်သွားသည်၊ ပြန်လည်ချိတ်ဆက်နေသည်…
page-feed-closed = ချိတ်ဆက်မှု ပြတ်နေသည်

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = { $time } အတွင်း ငွေပေးချေပါ၊ မဟုတ်ပါက မှာယူမှု ပယ်ဖျက်ခံရပါမည်။
page-pay-over = ငွေပေးချေရန် အချိန်ကုန်သွားပါပြီ။
page-duties-due = အကောက်ခွန်နှင့် အခွန်များ မပါဝင်ပါ- ခန့်မှန်း { $amount } ထပ်ကျသင့်ပါမည် (အကောက်ခွန် ခန့်မှန်းချက်)။
page-duties-none = အကောက်ခွန်နှင့် အခွန်များ မပါဝင်ပါ၊ အကောက်ခွန် ခန့်မှန်းချက်အရ ဤမှာယူမှုအတွက် ပေးဆောင်ရန် မလိုပါ။
page-duties-on-delivery = အကောက်ခွန်နှင့် အခွန်များ မပါဝင်ပါ- ပစ္စည်းလက်ခံချိန်တွင် ပေးဆောင်ရပါမည်။
page-duties-unknown = အကောက်ခွန်နှင့် အခွန်များ မပါဝင်ပါ၊ ခန့်မှန်း၍ မရပါ။
page-ship-postal-optional = စာတိုက်သင်္ကေတ (ရှိလျှင်)
page-check-field = ကျေးဇူးပြု၍ စစ်ဆေးပါ- { $field }
page-answer-failed = တစ်ခုခု မှားယွင်းသွားပါသည်။ ခဏအကြာတွင် ထပ်စမ်းကြည့်ပါ။

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = တိုက်ရိုက်ထုတ်လွှင့်မှု ဗီဒီယို
page-video-sound-on = အသံဖွင့်ရန်
page-video-sound-off = အသံပိတ်ရန်
page-video-link = { $host } တွင် တိုက်ရိုက်ကြည့်ရှုရန်
page-video-waiting = ဗီဒီယို မဖွင့်ရသေးပါ။ ထပ်မံကြိုးစားနေသည်…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = ချတ်
page-chat-empty = မက်ဆေ့ချ် မရှိသေးပါ။ နှုတ်ဆက်လိုက်ပါ။
page-chat-label = သင့်မက်ဆေ့ချ်
    .placeholder = တိုက်ရိုက်ထုတ်လွှင့်ခန်းသို့ ရေးပါ…
page-chat-send = ပို့မည်
page-chat-new = အောက်တွင် မက်ဆေ့ချ်အသစ်များ ရှိသည်
page-chat-host = တင်ဆက်သူ
page-chat-moderator = စီမံသူ
page-chat-slow-mode = နှေးကွေးမုဒ် - { $seconds } စက္ကန့်လျှင် မက်ဆေ့ချ် တစ်စောင်သာ။
page-chat-held-link = သင့်မက်ဆေ့ချ်သည် စီမံသူ စစ်ဆေးရန် စောင့်နေသည် - လင့်ခ် ပါဝင်သည်။
page-chat-held-phone = သင့်မက်ဆေ့ချ်သည် စီမံသူ စစ်ဆေးရန် စောင့်နေသည် - ဖုန်းနံပါတ် ပါဝင်သည်။
page-chat-held-payment = သင့်မက်ဆေ့ချ်သည် စီမံသူ စစ်ဆေးရန် စောင့်နေသည် - ငွေလွှဲရန် တောင်းဆိုထားသည်။
page-chat-held-contact = သင့်မက်ဆေ့ချ်သည် စီမံသူ စစ်ဆေးရန် စောင့်နေသည် - မက်ဆေ့ချ်ပို့ အက်ပ်ကို ဖော်ပြထားသည်။
page-chat-muted-until = စီမံသူက သင့်ကို ဤချတ်တွင် { $time } အထိ စာရေးခွင့် ပိတ်ထားသည်။ သင့်မက်ဆေ့ချ်ကို မတင်ခဲ့ပါ။
page-chat-muted-session = စီမံသူက သင့်ကို ဤချတ်တွင် ထုတ်လွှင့်မှု ပြီးဆုံးသည်အထိ စာရေးခွင့် ပိတ်ထားသည်။ သင့်မက်ဆေ့ချ်ကို မတင်ခဲ့ပါ။
page-chat-wait = { $seconds } စက္ကန့်အကြာတွင် ထပ်ရေးနိုင်ပါမည်။
page-chat-not-live = ထုတ်လွှင့်နေစဉ်သာ ချတ်ကို ဖွင့်ထားသည်။
page-chat-invalid = စာကြောင်းတစ်ကြောင်းတည်း၊ စာလုံး 500 ထက် မပိုဘဲ ရေးပါ။
page-chat-network = မပို့ရသေးပါ - ဆာဗာနှင့် ချိတ်ဆက်၍ မရပါ။ ထပ်စမ်းရန် ပို့မည် ကို နှိပ်ပါ။

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = မှာယူရန် ချတ်တွင် { $example } ဟု ရိုက်ပါ။
page-chat-order-ship-to = ချတ်မှ မှာယူရန် ပို့ဆောင်ရမည့် လိပ်စာကို ဖြည့်ပြီး သင့်မက်ဆေ့ချ်ကို ထပ်ပို့ပါ။
page-chat-resend = ထပ်ပို့မည်
page-chat-order-variant = ဤပစ္စည်းတွင် ရွေးချယ်မှု အများအပြား ရှိသည်။ အပေါ်မှ တစ်ခုကို ရွေးပြီး ခလုတ်ဖြင့် မှာယူပါ။
page-chat-order-nothing = ယခု ချတ်မှ မှာယူစရာ မရှိသေးပါ။
page-chat-order-identity = တရုတ်သို့ မှာယူရန် မှာယူသူ၏ မှတ်ပုံတင် အချက်အလက် လိုအပ်သည်။ အပေါ်ရှိ ခလုတ်ဖြင့် မှာယူပါ။
