## Live room: stock, countdowns and the buyer feed. $count is a number.

stock-left = { $count } ခုသာ ကျန်ပါတော့သည်
stock-sold-out = ရောင်းကုန်ပါပြီ
countdown-starts-seconds = { $count } စက္ကန့်အကြာတွင် စတင်မည်
countdown-starts-minutes = { $count } မိနစ်အကြာတွင် စတင်မည်
countdown-starts-hours = { $count } နာရီအကြာတွင် စတင်မည်
countdown-ends-seconds = { $count } စက္ကန့်အကြာတွင် ပြီးဆုံးမည်
countdown-ends-minutes = { $count } မိနစ်အကြာတွင် ပြီးဆုံးမည်
countdown-ends-hours = { $count } နာရီအကြာတွင် ပြီးဆုံးမည်
feed-bought = { $city } မှ { $buyer } က { $count } ခု ဝယ်ယူခဲ့သည်
feed-bought-no-city = { $buyer } က { $count } ခု ဝယ်ယူခဲ့သည်
