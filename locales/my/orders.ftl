## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = အော်ဒါ အတည်ပြုပြီးပါပြီ: { $count } ခု၊ စုစုပေါင်း { $total }
order-sold-out = စိတ်မကောင်းပါ၊ ဤပစ္စည်း ရောင်းကုန်ပါပြီ။
order-limit-reached = ဝယ်သူတစ်ဦးလျှင် { $limit } ခုသာ ဝယ်ယူနိုင်ပြီး သင် ကန့်သတ်ချက် ပြည့်သွားပါပြီ။
order-not-live = ယခု တိုက်ရိုက်ထုတ်လွှင့်မှု မရှိပါ။
order-not-started = အရောင်း မစတင်သေးပါ။
order-sale-ended = အရောင်း ပြီးဆုံးသွားပါပြီ။
order-paused = အရောင်းကို ယာယီရပ်ထားပါသည်။ ခဏနေမှ ထပ်ကြိုးစားပါ။
order-invalid-quantity = မှန်ကန်သော အရေအတွက်ကို ရွေးချယ်ပါ။
