#include "policy/sectors.h"

namespace kizuna::policy {

const std::vector<std::string_view>& UsCriticalInfrastructureSectors() {
  // PPD-21 (2013), the 16 sectors as CISA names them.
  static const std::vector<std::string_view> v = {
      "Chemical",
      "Commercial Facilities",
      "Communications",
      "Critical Manufacturing",
      "Dams",
      "Defense Industrial Base",
      "Emergency Services",
      "Energy",
      "Financial Services",
      "Food and Agriculture",
      "Government Facilities",
      "Healthcare and Public Health",
      "Information Technology",
      "Nuclear Reactors, Materials, and Waste",
      "Transportation Systems",
      "Water and Wastewater Systems",
  };
  return v;
}

const std::vector<JpSector>& JpCriticalInfrastructureSectors() {
  // The 15 critical infrastructure sectors of Japan's Cybersecurity Policy for
  // Critical Infrastructure Protection.
  static const std::vector<JpSector> v = {
      {"Information and communications", "情報通信"},
      {"Finance", "金融"},
      {"Aviation", "航空"},
      {"Airports", "空港"},
      {"Railway", "鉄道"},
      {"Electric power", "電力"},
      {"Gas", "ガス"},
      {"Government and administrative services", "政府・行政サービス（地方公共団体を含む）"},
      {"Medical", "医療"},
      {"Water", "水道"},
      {"Logistics", "物流"},
      {"Chemical", "化学"},
      {"Credit card", "クレジット"},
      {"Petroleum", "石油"},
      {"Ports", "港湾"},
  };
  return v;
}

const std::vector<Sector>& Sectors() {
  static const std::vector<Sector> v = {
      {"energy-electric", "Electric power", "電力", "Energy", "Electric power", "電力",
       {"energy", "utilities"}},
      {"energy-gas", "Gas", "ガス", "Energy", "Gas", "ガス", {"energy", "utilities"}},
      {"energy-oil", "Petroleum", "石油", "Energy", "Petroleum", "石油", {"energy"}},
      {"nuclear", "Nuclear reactors, materials and waste", "原子力",
       "Nuclear Reactors, Materials, and Waste", "Electric power", "電力", {"nuclear", "energy"}},
      {"water", "Water and wastewater", "水道", "Water and Wastewater Systems", "Water", "水道",
       {"water", "utilities"}},
      {"dams", "Dams", "ダム", "Dams", "", "", {"dams"}},
      {"rail", "Railway", "鉄道", "Transportation Systems", "Railway", "鉄道", {"transportation"}},
      {"aviation", "Aviation", "航空", "Transportation Systems", "Aviation", "航空",
       {"aerospace", "transportation"}},
      {"airports", "Airports", "空港", "Transportation Systems", "Airports", "空港",
       {"transportation"}},
      {"ports", "Ports", "港湾", "Transportation Systems", "Ports", "港湾", {"transportation"}},
      {"logistics", "Logistics", "物流", "Transportation Systems", "Logistics", "物流",
       {"transportation"}},
      {"telecom", "Telecommunications", "電気通信", "Communications",
       "Information and communications", "情報通信", {"telecommunications", "communications"}},
      {"it", "Information technology", "情報技術", "Information Technology",
       "Information and communications", "情報通信", {"technology"}},
      {"finance", "Financial services", "金融", "Financial Services", "Finance", "金融",
       {"financial-services"}},
      {"insurance", "Insurance", "保険", "Financial Services", "Finance", "金融", {"insurance"}},
      {"credit-card", "Credit card", "クレジット", "Financial Services", "Credit card",
       "クレジット", {"financial-services"}},
      {"health", "Healthcare and public health", "医療", "Healthcare and Public Health", "Medical",
       "医療", {"healthcare"}},
      {"pharma", "Pharmaceuticals", "医薬品", "Healthcare and Public Health", "Medical", "医療",
       {"pharmaceuticals"}},
      {"chemical", "Chemical", "化学", "Chemical", "Chemical", "化学", {"chemical"}},
      {"government", "Government and administrative services", "政府・行政サービス",
       "Government Facilities", "Government and administrative services", "政府・行政サービス（地方公共団体を含む）",
       {"government-national", "government-public-services"}},
      {"local-government", "Local government", "地方公共団体", "Government Facilities",
       "Government and administrative services", "政府・行政サービス（地方公共団体を含む）", {"government-local"}},
      {"emergency", "Emergency services", "緊急サービス", "Emergency Services",
       "Government and administrative services", "政府・行政サービス（地方公共団体を含む）",
       {"government-emergency-services"}},
      {"defense", "Defense industrial base", "防衛産業", "Defense Industrial Base", "", "",
       {"defense"}},
      {"manufacturing", "Critical manufacturing", "重要製造業", "Critical Manufacturing", "", "",
       {"manufacturing", "automotive"}},
      {"food", "Food and agriculture", "食料・農業", "Food and Agriculture", "", "",
       {"agriculture"}},
      {"commercial", "Commercial facilities", "商業施設", "Commercial Facilities", "", "",
       {"commercial", "retail", "hospitality-leisure"}},
      {"education", "Education and research", "教育・研究", "Government Facilities", "", "",
       {"education"}},
  };
  return v;
}

const Sector* FindSector(std::string_view code) {
  for (const auto& s : Sectors())
    if (s.code == code) return &s;
  return nullptr;
}

}  // namespace kizuna::policy
