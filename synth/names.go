package synth

import "strings"

// The pools below are invented or generic: common surnames and given-name
// characters, made-up street and community names. Combined at random they
// name nobody in particular.

// surnameWeights are common northern Chinese surnames with rough weights.
var surnameWeights = []struct {
	s string
	w int
}{
	{"王", 90}, {"李", 80}, {"张", 75}, {"刘", 60}, {"郭", 40}, {"赵", 38}, {"杨", 36}, {"陈", 34},
	{"武", 20}, {"田", 18}, {"申", 16}, {"牛", 15}, {"秦", 15}, {"段", 14}, {"郝", 14}, {"程", 13},
	{"侯", 13}, {"梁", 13}, {"贾", 13}, {"宋", 12}, {"冯", 12}, {"任", 12}, {"韩", 12}, {"史", 11},
	{"马", 11}, {"乔", 10}, {"崔", 10}, {"常", 10}, {"薛", 10}, {"孟", 10}, {"黄", 10}, {"周", 10},
	{"吴", 10}, {"徐", 9}, {"孙", 9}, {"胡", 9}, {"朱", 9}, {"高", 9}, {"林", 6}, {"何", 6},
	{"罗", 6}, {"郑", 6}, {"谢", 5}, {"唐", 5}, {"于", 5}, {"董", 6}, {"曹", 6}, {"袁", 5},
	{"许", 5}, {"吕", 6}, {"苏", 5}, {"魏", 6}, {"丁", 5}, {"闫", 7}, {"潘", 4}, {"杜", 6},
	{"范", 5}, {"石", 6}, {"姚", 5}, {"白", 6}, {"康", 5}, {"毛", 4}, {"邢", 5}, {"连", 4},
	{"靳", 5}, {"栗", 4}, {"暴", 3}, {"路", 4}, {"原", 3}, {"霍", 4}, {"岳", 4}, {"焦", 4},
}

// surnames is surnameWeights expanded so that a uniform index picks by weight.
var surnames = func() []string {
	var out []string
	for _, x := range surnameWeights {
		for range x.w {
			out = append(out, x.s)
		}
	}
	return out
}()

func fields(s string) []string { return strings.Fields(s) }

// Given names by sex and by era of birth: before 1965, 1965–1994, 1995 on.
var givenNames = [2][3][]string{
	{ // male
		fields("建国 建军 国强 志强 建华 国庆 卫东 红军 海 军 平 建平 志刚 福生 德明 保国 振华 文华 金生 树林 长福 永胜 宝山 玉明 福林 俊德 二虎 满仓 存才"),
		fields("伟 磊 强 军 鹏 涛 斌 超 勇 杰 浩 亮 宇 晓东 志伟 建峰 海涛 俊杰 晓明 鹏飞 永刚 向东 晋 晋生 小龙 建伟 文斌 红亮 利军 海峰 国栋 学军"),
		fields("浩然 子轩 梓豪 宇航 俊熙 一鸣 子墨 皓轩 宇轩 博文 睿 泽宇 铭 晨阳 奕辰 子豪 嘉豪 天佑 思远 浩宇 明轩 宇泽 昊天 煜城 梓睿 锦程 晨 旭 鑫 乐"),
	},
	{ // female
		fields("秀英 桂兰 淑珍 玉兰 凤英 秀兰 桂英 玉梅 秀珍 桂芳 淑英 翠兰 美兰 金凤 素芳 改花 润莲 爱莲 月娥 巧梅 兰英 桂香 粉莲 引弟 变英 秀梅 桂珍 凤兰"),
		fields("丽 静 敏 艳 芳 娟 霞 燕 婷 丽娟 晓燕 海燕 红梅 小红 雪梅 丽华 春燕 晓丽 慧 丽萍 彩霞 俊霞 晋芳 建英 红霞 美玲 秀丽 晓琴 文娟 瑞芳"),
		fields("欣怡 梓涵 子涵 诗涵 雨桐 一诺 可馨 思彤 佳怡 语嫣 若汐 梦琪 雨萱 紫涵 欣妍 佳琪 心怡 诗琪 芷若 晨曦 悦 琪 萌 雪 璐 佳 雯 瑶 楠 怡"),
	},
}

// Characters combined into two-character given names for the two later eras.
var (
	nameFirst = [2][]string{
		fields("子 梓 宇 浩 俊 嘉 博 晨 志 文 明 家 天 一 思 泽 振 晓 建 永"),
		fields("雨 欣 梓 思 佳 诗 可 雅 梦 晓 紫 嘉 心 静 丽 婉 怡 若 晨 语"),
	}
	nameSecond = [2][]string{
		fields("轩 豪 航 杰 辰 泽 宇 阳 涛 鹏 博 睿 凯 文 然 远 成 毅 恒 哲"),
		fields("涵 怡 彤 萱 琪 妍 婷 悦 瑶 琳 雪 菲 颖 洁 欣 然 蕾 宁 晴 茹"),
	}
)

// Sub-district names of the invented district, in code order.
var subdistrictNames = []string{"东街街道", "西街街道", "南街街道", "北街街道", "太行街道", "英雄路街道"}

// communityStems are invented community names; "社区" is appended. They are
// shuffled per seed and the first ones are used, so the pool must hold at
// least the number of communities at the largest scale (50).
var communityStems = fields(`紫金 府后 府前 庙道 东关 西关 南关 北关 城隍 八一 解放 建设 和平 文化 育才
	光明 红星 新华 长兴 惠民 康乐 安居 丰泽 瑞祥 兴旺 振兴 友谊 团结 幸福 春晖 秀水 锦绣 桃园 杏花
	梨园 柳林 松岭 槐荫 银河 金桥 华苑 书院 钟楼 鼓楼 马厂 仓巷 石桥 莲池 翠微 朝阳 晨光 晓月 碧水
	青云 凤鸣 龙泉 望景 雨露 天泽 嘉园 德润 漳河 上党 潞安`)

// streets are invented street names used in addresses and service areas.
var streets = fields(`和平街 建设路 文化街 育才路 光明街 新华路 友谊街 振兴路 长兴街 惠民路 安居街 丰泽路
	瑞祥街 春晖路 秀水街 锦绣路 杏花街 梨园路 松岭街 银河路 金桥街 钟楼街 莲池路 翠微街 晨光路 凤鸣街
	望景路 德润街 永安街 吉祥路 百花街 太平路 兴业街 康宁路 明德街 福源路`)

// lanes are invented lane names (巷) for courtyards.
var lanes = fields(`建设巷 文化巷 育才巷 惠民巷 瑞祥巷 桃园巷 柳林巷 槐荫巷 书院巷 石桥巷 朝阳巷 龙泉巷
	太平巷 福寿巷 百花巷 仓巷 马房巷 井巷 花园巷 南营巷 北营巷 东仓巷 西仓巷 前进巷`)

// Employers of enterprise retirees: invented.
var formerEmployers = fields(`示范城区第一纺织厂 示范城区第二纺织厂 太行机械厂 漳河化肥厂 上党钢铁厂 潞安卷烟厂
	示范城区食品公司 示范城区百货公司 太行水泥厂 示范城区建筑公司 漳河电机厂 示范城区运输公司 上党橡胶厂
	示范城区印刷厂 示范城区粮食局面粉厂 示范城区供销社`)

// Unit name parts: invented trade names and lines of business.
var (
	tradeA     = fields("鑫 恒 华 瑞 宏 聚 晋 润 汇 金 天 永 佳 盛 福 诚 安 嘉 同 博 兴 泰 顺 丰 益")
	tradeB     = fields("源 泰 晟 丰 达 德 通 泽 诺 和 盛 禾 世 润 信 美 创 远 隆 昌 康 宇 利 祥 邦")
	industries = fields("商贸 建材 餐饮管理 信息技术 物流 装饰工程 医药连锁 文化传媒 家政服务 汽车维修 食品 广告 教育咨询 电子科技 房地产经纪 劳务")
	shops      = fields("面馆 便利店 理发店 修车铺 五金店 水果店 干洗店 早餐店 烟酒店 超市 粮油店 裁缝店 照相馆 锁具店 家电维修部")
	govDepts   = fields("市场监督管理局 人力资源和社会保障局 城市管理局 住房和城乡建设局 民政局 卫生健康局")
)

// Visit vocabulary.
var (
	purposesGeneral = fields("入户走访 政策宣传 人口信息核实 安全隐患排查 矛盾纠纷调解 医保缴费宣传 反诈宣传 垃圾分类宣传")
	purposesUnit    = fields("驻区单位走访 安全生产检查 党建联建 消防安全检查 门前三包检查")
	clearsHousehold = fields("家庭成员无变化 新增人口1人 子女外出务工 户主住院治疗中 家中老人身体状况良好 房屋出租 家中有人长期外出 新生儿已登记")
	clearsCategory  = fields("独居老人 低保户 残疾人家庭 流动人口已登记 育龄妇女信息已核实 退役军人 高龄老人 失业人员")
	clearsFacility  = fields("楼道灯损坏 单元门禁故障 下水管道堵塞 健身器材老化 楼顶防水老化 消防栓缺水 路面破损 化粪池外溢")
	clearsDanger    = fields("楼道堆放杂物 电动车楼道充电 燃气软管老化 邻里漏水纠纷 外墙瓷砖松动 私拉电线 高空抛物隐患")
	clearsNeeds     = fields("申请居家养老服务 咨询医保缴费 需要办理居住证 咨询低保申请 孩子入学咨询 申请残疾人补贴 求职需求 需要助餐服务")
	clearsHot       = fields("小区停车难 物业费纠纷 供暖温度不达标 老旧小区改造意见 加装电梯意愿 噪音扰民 广场舞扰民")
	problems        = fields("楼道灯损坏 邻里噪音纠纷 下水道堵塞 楼顶漏水 垃圾清运不及时 违章搭建 流浪犬扰民 路灯不亮 供暖不热 占道经营 单元门损坏 化粪池外溢")
	visitNotes      = fields("已反馈社区 已现场处理 已联系物业 已上报街道 待下次回访")
)
