## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = ကုန်ကြမ်း: { $value }
attr-flavour = အရသာ: { $value }
attr-size = အရွယ်အစား: { $value }
attr-net-weight-g = အသားတင်အလေးချိန်: { $grams } ဂရမ်
attr-net-weight-kg = အသားတင်အလေးချိန်: { $kg } ကီလိုဂရမ်
attr-volume-ml = ပမာဏ: { $ml } မီလီလီတာ
attr-volume-l = ပမာဏ: { $litres } လီတာ
attr-shelf-life-days = သက်တမ်း: { $days } ရက်
attr-shelf-life-months = သက်တမ်း: { $months } လ
attr-storage = သိုလှောင်ပုံ: { $value }
attr-origin = ထုတ်လုပ်သည့်နိုင်ငံ: { $country }
price-line = ဈေးနှုန်း: { $price }
